/** The carriers a technician may pick explicitly (ids of shared/carriers), in the order offered; `auto` and `other` are added by the forms. */
export const CARRIER_CHOICES = ['canada-post', 'purolator', 'canpar', 'ups', 'fedex', 'dhl', 'usps', 'upu-s10'] as const;
