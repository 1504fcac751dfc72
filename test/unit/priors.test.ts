import { expect } from 'chai';
import { descriptionSimilarity, matchSeries } from '../../src/study/priors.js';
import type { SeriesSummary } from '../../src/study/types.js';

const series = (uid: string, modality: string, description: string, imageCount = 100): SeriesSummary => ({ seriesInstanceUID: uid, modality, description, imageCount, kind: 'image' });
const AXIAL: [number, number, number] = [0, 0, 1];
const SAGITTAL: [number, number, number] = [1, 0, 0];
const CORONAL: [number, number, number] = [0, 1, 0];

describe('matching a prior’s series to the one being read', () => {
  it('takes the same modality and the closest orientation before the description', () => {
    const match = matchSeries({ modality: 'MR', description: 'T1 axial', normal: AXIAL }, [
      { series: series('sag', 'MR', 'T1 axial', 176), normal: SAGITTAL },
      { series: series('ax', 'MR', 'FLAIR tra', 24), normal: AXIAL },
      { series: series('ct', 'CT', 'T1 axial', 300), normal: AXIAL },
    ]);
    expect(match?.seriesInstanceUID).to.equal('ax');
  });

  it('among series in the same plane, the most similar description wins, then the most images', () => {
    const candidates = [
      { series: series('flair', 'MR', 'FLAIR ax 5mm', 30), normal: AXIAL },
      { series: series('t1', 'MR', 'T1 SE ax 5mm', 24), normal: AXIAL },
      { series: series('t1b', 'MR', 'T1 SE ax 5mm', 28), normal: AXIAL },
    ];
    expect(matchSeries({ modality: 'MR', description: 'T1 SE axial 5mm', normal: AXIAL }, candidates)?.seriesInstanceUID).to.equal('t1b');
  });

  it('leaves localizers out while another series has the modality, and reads opposite normals as the same plane', () => {
    const match = matchSeries({ modality: 'CT', description: 'Head 1.25 mm', normal: AXIAL }, [
      { series: series('scout', 'CT', 'Scout lateral', 1), normal: SAGITTAL },
      { series: series('cor', 'CT', 'Head coronal', 60), normal: CORONAL },
      { series: series('ax', 'CT', 'Head 5.0 mm', 27), normal: [0, 0, -1] },
    ]);
    expect(match?.seriesInstanceUID).to.equal('ax');
  });

  it('without orientations, goes by description; with no series of the modality, finds none', () => {
    expect(matchSeries({ modality: 'CT', description: 'Chest lung' }, [{ series: series('a', 'CT', 'Abdomen') }, { series: series('b', 'CT', 'Chest lung 1 mm') }])?.seriesInstanceUID).to.equal('b');
    expect(matchSeries({ modality: 'MR', description: 'T1' }, [{ series: series('a', 'CT', 'T1') }, { series: series('sr', 'SR', 'Report') }])).to.equal(undefined);
  });

  it('scores descriptions by shared words, case and punctuation aside', () => {
    expect(descriptionSimilarity('T1 MPRAGE sag', 't1_mprage SAG')).to.equal(1);
    expect(descriptionSimilarity('Head 1.25 mm', 'Head 5.0 mm')).to.be.closeTo(2 / 4, 1e-9);
    expect(descriptionSimilarity('', 'Head')).to.equal(0);
  });
});
