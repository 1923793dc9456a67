/** The 50 states, the District of Columbia and the inhabited territories, by USPS code. */
const BY_POSTAL_CODE: Readonly<Record<string, string>> = {
  al: 'Alabama',
  ak: 'Alaska',
  az: 'Arizona',
  ar: 'Arkansas',
  ca: 'California',
  co: 'Colorado',
  ct: 'Connecticut',
  de: 'Delaware',
  fl: 'Florida',
  ga: 'Georgia',
  hi: 'Hawaii',
  id: 'Idaho',
  il: 'Illinois',
  in: 'Indiana',
  ia: 'Iowa',
  ks: 'Kansas',
  ky: 'Kentucky',
  la: 'Louisiana',
  me: 'Maine',
  md: 'Maryland',
  ma: 'Massachusetts',
  mi: 'Michigan',
  mn: 'Minnesota',
  ms: 'Mississippi',
  mo: 'Missouri',
  mt: 'Montana',
  ne: 'Nebraska',
  nv: 'Nevada',
  nh: 'New Hampshire',
  nj: 'New Jersey',
  nm: 'New Mexico',
  ny: 'New York',
  nc: 'North Carolina',
  nd: 'North Dakota',
  oh: 'Ohio',
  ok: 'Oklahoma',
  or: 'Oregon',
  pa: 'Pennsylvania',
  ri: 'Rhode Island',
  sc: 'South Carolina',
  sd: 'South Dakota',
  tn: 'Tennessee',
  tx: 'Texas',
  ut: 'Utah',
  vt: 'Vermont',
  va: 'Virginia',
  wa: 'Washington',
  wv: 'West Virginia',
  wi: 'Wisconsin',
  wy: 'Wyoming',
  dc: 'District of Columbia',
  as: 'American Samoa',
  gu: 'Guam',
  mp: 'Northern Mariana Islands',
  pr: 'Puerto Rico',
  vi: 'U.S. Virgin Islands',
};

function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/\./g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

const BY_SLUG: ReadonlyMap<string, string> = new Map(
  Object.values(BY_POSTAL_CODE).flatMap((name) => {
    const s = slug(name);
    // "U.S. Virgin Islands" is also commonly written without the "U.S.".
    return s === 'us-virgin-islands'
      ? [
          [s, name],
          ['virgin-islands', name],
        ]
      : [[s, name]];
  }),
);

export const US_STATE_CODES: readonly string[] = Object.keys(BY_POSTAL_CODE);

/** The state or territory a tenant id names, by postal code ("ca") or slug ("new-york"). */
export function usStateName(tenantId: string): string | undefined {
  return BY_POSTAL_CODE[tenantId] ?? BY_SLUG.get(tenantId);
}

/** What a tenant is called when its record gives no displayName. */
export function defaultDisplayName(tenantId: string): string {
  return (
    usStateName(tenantId) ??
    tenantId
      .split('-')
      .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
      .join(' ')
  );
}
