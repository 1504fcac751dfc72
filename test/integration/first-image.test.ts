// The lean first image on the generated studies; first-image-real.test.ts runs the same on ../shared/dicom.
// A file of its own, so a page of its own: nothing may load Cornerstone before its first test.
import { firstImageSuite } from '../support/first-image-suite.js';

firstImageSuite('generated');
