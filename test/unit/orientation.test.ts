import { expect } from 'chai';
import { directionLetters, orientationMarkers, planeOf } from '../../src/study/orientation.js';

const AXIAL = [1, 0, 0, 0, 1, 0];
const SAGITTAL = [0, 1, 0, 0, 0, -1];
const CORONAL = [1, 0, 0, 0, 0, -1];
const plain = { rotation: 0, flipH: false, flipV: false };

describe('orientation markers', () => {
  it('puts the patient right on the left of an axial image and anterior at the top', () => {
    expect(orientationMarkers(AXIAL)).to.deep.equal({ top: 'A', right: 'L', bottom: 'P', left: 'R' });
  });

  it('shows a sagittal image with anterior left, head at the top', () => {
    expect(orientationMarkers(SAGITTAL)).to.deep.equal({ top: 'H', right: 'P', bottom: 'F', left: 'A' });
  });

  it('shows a coronal image with the patient right on the left, head at the top', () => {
    expect(orientationMarkers(CORONAL)).to.deep.equal({ top: 'H', right: 'L', bottom: 'F', left: 'R' });
  });

  it('gives an oblique edge two letters, the stronger direction first', () => {
    // Rows turned 30° from L towards A (cos 30° = 0.87 L, sin 30° = 0.5 A), columns posterior-ish.
    const c = Math.cos(Math.PI / 6);
    const s = Math.sin(Math.PI / 6);
    const markers = orientationMarkers([c, -s, 0, s, c, 0]);
    expect(markers.right).to.equal('LA');
    expect(markers.left).to.equal('RP');
    expect(markers.bottom).to.equal('PL');
    expect(markers.top).to.equal('AR');
  });

  it('keeps one letter for a small tilt (a few degrees)', () => {
    const tilt = (5 * Math.PI) / 180;
    expect(orientationMarkers([1, 0, 0, 0, Math.cos(tilt), -Math.sin(tilt)]).bottom).to.equal('P');
  });

  it('moves the top letter to the right after a 90° clockwise rotation', () => {
    expect(orientationMarkers(AXIAL, { ...plain, rotation: 90 })).to.deep.equal({ top: 'R', right: 'A', bottom: 'L', left: 'P' });
  });

  it('turns the markers the other way after a 270° rotation, and upside down after 180°', () => {
    expect(orientationMarkers(AXIAL, { ...plain, rotation: 270 })).to.deep.equal({ top: 'L', right: 'P', bottom: 'R', left: 'A' });
    expect(orientationMarkers(AXIAL, { ...plain, rotation: -90 })).to.deep.equal(orientationMarkers(AXIAL, { ...plain, rotation: 270 }));
    expect(orientationMarkers(AXIAL, { ...plain, rotation: 180 })).to.deep.equal({ top: 'P', right: 'R', bottom: 'A', left: 'L' });
  });

  it('swaps left and right after a horizontal flip, top and bottom after a vertical one', () => {
    expect(orientationMarkers(AXIAL, { ...plain, flipH: true })).to.deep.equal({ top: 'A', right: 'R', bottom: 'P', left: 'L' });
    expect(orientationMarkers(SAGITTAL, { ...plain, flipV: true })).to.deep.equal({ top: 'F', right: 'P', bottom: 'H', left: 'A' });
  });

  it('flips in image axes before rotating (a flipped image turned 90° clockwise)', () => {
    // Flipped axial: right R, top A; turned clockwise the top (A) goes right and the left (L) goes top.
    expect(orientationMarkers(AXIAL, { rotation: 90, flipH: true, flipV: false })).to.deep.equal({ top: 'L', right: 'A', bottom: 'R', left: 'P' });
  });

  it('gives no markers for a missing or degenerate orientation', () => {
    expect(orientationMarkers(undefined)).to.deep.equal({ top: '', right: '', bottom: '', left: '' });
    expect(orientationMarkers([0, 0, 0, 0, 0, 0])).to.deep.equal({ top: '', right: '', bottom: '', left: '' });
    expect(directionLetters([Number.NaN, 0, 1])).to.equal('');
  });

  it('names the plane from the slice normal', () => {
    expect(planeOf(AXIAL)).to.equal('axial');
    expect(planeOf(SAGITTAL)).to.equal('sagittal');
    expect(planeOf(CORONAL)).to.equal('coronal');
    const c = Math.cos(Math.PI / 4);
    expect(planeOf([1, 0, 0, 0, c, -c])).to.equal('oblique');
    expect(planeOf(undefined)).to.equal(undefined);
  });
});
