// The lean first image on ../shared/dicom's real studies (skipped, and counted, without that folder).
// A file of its own, so a page of its own: nothing may load Cornerstone before its first test.
import { firstImageSuite } from '../support/first-image-suite.js';

firstImageSuite('real');
