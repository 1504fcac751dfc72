/** The key of one frame of a series: `${SOPInstanceUID}/${frameNumber}` (1-based). */
export const frameKey = (sop: string, frame: number): string => `${sop}/${frame}`;
