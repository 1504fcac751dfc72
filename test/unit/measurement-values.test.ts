import { expect } from 'chai';
import { angleOf, cobbAngleOf, insideRegion, lengthOf, pixelGeometry, regionStats, validPoints } from '../../src/imaging/measurement-values.js';

describe('measurement values', () => {
  it('takes PixelSpacing first, ImagerPixelSpacing alone as the detector, and pixels without either', () => {
    expect(pixelGeometry([0.5, 0.7], [0.1, 0.1])).to.deep.equal({ rowSpacing: 0.5, columnSpacing: 0.7, calibration: 'pixel-spacing' });
    expect(pixelGeometry(undefined, [0.1, 0.2])).to.deep.equal({ rowSpacing: 0.1, columnSpacing: 0.2, calibration: 'detector' });
    expect(pixelGeometry([0, 0], undefined)).to.deep.equal({ rowSpacing: 1, columnSpacing: 1, calibration: 'uncalibrated' });
  });

  it('measures lengths per axis: rows by the row spacing, columns by the column spacing', () => {
    const geometry = pixelGeometry([4, 6.4], undefined); // 4 mm between rows, 6.4 mm between columns
    expect(lengthOf([[0, 0], [10, 0]], geometry)).to.be.closeTo(64, 1e-9);
    expect(lengthOf([[0, 0], [0, 10]], geometry)).to.be.closeTo(40, 1e-9);
    expect(lengthOf([[0, 0], [3, 4]], geometry)).to.be.closeTo(Math.hypot(19.2, 16), 1e-9);
  });

  it('measures angles in the patient plane: 45 degrees in pixels is not 45 degrees with non-square pixels', () => {
    expect(angleOf([[10, 0], [0, 0], [0, 10]], pixelGeometry([1, 1], undefined))).to.be.closeTo(90, 1e-9);
    expect(angleOf([[10, 0], [0, 0], [10, 10]], pixelGeometry([1, 1], undefined))).to.be.closeTo(45, 1e-9);
    expect(angleOf([[10, 0], [0, 0], [10, 10]], pixelGeometry([2, 1], undefined))).to.be.closeTo((Math.atan(2) * 180) / Math.PI, 1e-9);
    // Cobb: the acute angle between two lines, whichever way each was drawn.
    expect(cobbAngleOf([[0, 0], [10, 0], [0, 5], [10, 15]], pixelGeometry([1, 1], undefined))).to.be.closeTo(45, 1e-9);
    expect(cobbAngleOf([[10, 0], [0, 0], [0, 5], [10, 15]], pixelGeometry([1, 1], undefined))).to.be.closeTo(45, 1e-9);
  });

  it('counts pixel centres inside the ellipse inscribed in the box, boundary included, and inside the box', () => {
    const ellipse = insideRegion('ellipseRoi', [[0, 0], [4, 2]]);
    expect(ellipse(2, 1)).to.equal(true);
    expect(ellipse(0, 1)).to.equal(true);
    expect(ellipse(0, 0)).to.equal(false);
    const box = insideRegion('rectangleRoi', [[4, 2], [0, 0]]);
    expect(box(0, 0) && box(4, 2)).to.equal(true);
    expect(box(5, 2)).to.equal(false);
  });

  it('gives mean, population SD, min, max, pixel count and the geometric area', () => {
    const image = { columns: 4, rows: 3, valueAt: (column: number, row: number) => column + 10 * row };
    const stats = regionStats('rectangleRoi', [[1, 0], [2, 1]], pixelGeometry([0.5, 2], undefined), image)!;
    const values = [1, 2, 11, 12];
    const mean = values.reduce((a, b) => a + b) / 4;
    expect(stats).to.deep.include({ mean, min: 1, max: 12, pixelCount: 4, areaPx: 1, areaMm2: 1 });
    expect(stats.sd).to.be.closeTo(Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / 4), 1e-12);
    expect(regionStats('ellipseRoi', [[0, 0], [2, 2]], pixelGeometry(undefined, undefined), image)!.areaMm2).to.equal(undefined);
  });

  it('accepts only the number of finite points each kind takes', () => {
    expect(validPoints('length', [[1, 2], [3, 4]])).to.equal(true);
    expect(validPoints('length', [[1, 2]])).to.equal(false);
    expect(validPoints('probe', [[Number.NaN, 2]])).to.equal(false);
    expect(validPoints('cobbAngle', 'nope')).to.equal(false);
  });
});
