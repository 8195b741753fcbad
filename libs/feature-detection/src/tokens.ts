/** Injection token of the DetectionConfig. */
export const DETECTION_CONFIG = Symbol('DETECTION_CONFIG');
