/** Injection token of the DetectionConfig. */
export const DETECTION_CONFIG = Symbol('DETECTION_CONFIG');
/** Injection token of the wall clock (`() => epoch ms`) of DetectionService; default `Date.now`. */
export const DETECTION_CLOCK = Symbol('DETECTION_CLOCK');
/**
 * Request/reply subject of the sportsbook report (`DetectionSportsbookReport`: odds source, event matching,
 * consensus, signal counts). Not in libs/bus's `subjects`: the reply is detection's own plain object.
 */
export const DETECTION_SPORTSBOOK_SUBJECT = 'ctl.v1.detection.sportsbook';
