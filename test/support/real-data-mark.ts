/** The marker in a suite's title by which the test summary names skipped real-data suites (browser and Node). */
export const REAL_DATA_MARK = '[real data: ../shared/dicom]';
