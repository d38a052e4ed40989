import type { Kysely } from 'kysely'
import { sql } from 'kysely'

/*
 * Reference data: the 194 Member States of ITU.
 *
 * This migration is frozen in time: the data is inline and nothing here may
 * import application code. COUNTRIES is exported only so that tests can check
 * the data; application code must read the `countries` table instead.
 *
 * Membership (194) = the 193 UN Member States + the Holy See (VAT/VA).
 * Palau (PLW) joined ITU in 2024 as the 194th Member State and is included.
 * Not ITU Member States, hence absent: State of Palestine (PSE; observer),
 * Taiwan (TWN), Kosovo (XKX, not an ISO code), and all dependent territories
 * (Hong Kong, Macao, Puerto Rico, Greenland, ...).
 *
 * code/alpha2: ISO 3166-1 alpha-3/alpha-2, upper case.
 * name: the English short name as ITU uses it where it differs from the ISO
 * short name ("Russian Federation", "Korea (Rep. of)", "Türkiye", "Viet Nam",
 * "Holy See", ...). Text is NFC-normalised UTF-8.
 *
 * region: the ITU-D regions served by the Telecommunication Development
 * Bureau's regional offices (the grouping of ITU's ICT statistics). Counts:
 *
 *   Africa        44  sub-Saharan Africa; North African Arab League members
 *                     are in Arab States (44 + 10 = the 54 African states).
 *   Americas      35  all of North, Central and South America and the Caribbean.
 *   Arab States   21  the Arab League members, which are all ITU members
 *                     except Palestine: incl. Comoros, Djibouti, Mauritania,
 *                     Somalia and Sudan (not in Africa).
 *   Asia-Pacific  39  incl. Iran and Afghanistan, all Pacific island states,
 *                     and Palau (38 before Palau joined).
 *   CIS            9  Armenia, Azerbaijan, Belarus, Kazakhstan, Kyrgyzstan,
 *                     Russian Federation, Tajikistan, Turkmenistan, Uzbekistan.
 *   Europe        46  incl. Türkiye, Israel, Cyprus, the Holy See, and
 *                     Georgia, Moldova and Ukraine.
 *
 * Judgment calls:
 * - Georgia, Moldova and Ukraine: older ITU-D documents list the CIS region
 *   as the 12 post-Soviet non-Baltic states; this table follows the current
 *   ITU-D grouping, which places these three in Europe. Moving them back is
 *   a data migration, not an edit of this file.
 * - Israel, Cyprus and Türkiye are Europe (not Asia-Pacific / Arab States).
 * - Iran and Afghanistan are Asia-Pacific.
 * - Egypt, Libya, Tunisia, Algeria, Morocco, Mauritania, Sudan, Somalia,
 *   Djibouti and Comoros are Arab States only; South Sudan is Africa.
 */

type Region = 'Africa' | 'Americas' | 'Arab States' | 'Asia-Pacific' | 'CIS' | 'Europe'

interface CountryRow {
  readonly code: string
  readonly alpha2: string
  readonly name: string
  readonly region: Region
}

// Sorted by code, one row per line.
export const COUNTRIES: readonly CountryRow[] = [
  { code: 'AFG', alpha2: 'AF', name: 'Afghanistan', region: 'Asia-Pacific' },
  { code: 'AGO', alpha2: 'AO', name: 'Angola', region: 'Africa' },
  { code: 'ALB', alpha2: 'AL', name: 'Albania', region: 'Europe' },
  { code: 'AND', alpha2: 'AD', name: 'Andorra', region: 'Europe' },
  { code: 'ARE', alpha2: 'AE', name: 'United Arab Emirates', region: 'Arab States' },
  { code: 'ARG', alpha2: 'AR', name: 'Argentina', region: 'Americas' },
  { code: 'ARM', alpha2: 'AM', name: 'Armenia', region: 'CIS' },
  { code: 'ATG', alpha2: 'AG', name: 'Antigua and Barbuda', region: 'Americas' },
  { code: 'AUS', alpha2: 'AU', name: 'Australia', region: 'Asia-Pacific' },
  { code: 'AUT', alpha2: 'AT', name: 'Austria', region: 'Europe' },
  { code: 'AZE', alpha2: 'AZ', name: 'Azerbaijan', region: 'CIS' },
  { code: 'BDI', alpha2: 'BI', name: 'Burundi', region: 'Africa' },
  { code: 'BEL', alpha2: 'BE', name: 'Belgium', region: 'Europe' },
  { code: 'BEN', alpha2: 'BJ', name: 'Benin', region: 'Africa' },
  { code: 'BFA', alpha2: 'BF', name: 'Burkina Faso', region: 'Africa' },
  { code: 'BGD', alpha2: 'BD', name: 'Bangladesh', region: 'Asia-Pacific' },
  { code: 'BGR', alpha2: 'BG', name: 'Bulgaria', region: 'Europe' },
  { code: 'BHR', alpha2: 'BH', name: 'Bahrain', region: 'Arab States' },
  { code: 'BHS', alpha2: 'BS', name: 'Bahamas', region: 'Americas' },
  { code: 'BIH', alpha2: 'BA', name: 'Bosnia and Herzegovina', region: 'Europe' },
  { code: 'BLR', alpha2: 'BY', name: 'Belarus', region: 'CIS' },
  { code: 'BLZ', alpha2: 'BZ', name: 'Belize', region: 'Americas' },
  { code: 'BOL', alpha2: 'BO', name: 'Bolivia (Plurinational State of)', region: 'Americas' },
  { code: 'BRA', alpha2: 'BR', name: 'Brazil', region: 'Americas' },
  { code: 'BRB', alpha2: 'BB', name: 'Barbados', region: 'Americas' },
  { code: 'BRN', alpha2: 'BN', name: 'Brunei Darussalam', region: 'Asia-Pacific' },
  { code: 'BTN', alpha2: 'BT', name: 'Bhutan', region: 'Asia-Pacific' },
  { code: 'BWA', alpha2: 'BW', name: 'Botswana', region: 'Africa' },
  { code: 'CAF', alpha2: 'CF', name: 'Central African Rep.', region: 'Africa' },
  { code: 'CAN', alpha2: 'CA', name: 'Canada', region: 'Americas' },
  { code: 'CHE', alpha2: 'CH', name: 'Switzerland', region: 'Europe' },
  { code: 'CHL', alpha2: 'CL', name: 'Chile', region: 'Americas' },
  { code: 'CHN', alpha2: 'CN', name: 'China', region: 'Asia-Pacific' },
  { code: 'CIV', alpha2: 'CI', name: "Côte d'Ivoire", region: 'Africa' },
  { code: 'CMR', alpha2: 'CM', name: 'Cameroon', region: 'Africa' },
  { code: 'COD', alpha2: 'CD', name: 'Dem. Rep. of the Congo', region: 'Africa' },
  { code: 'COG', alpha2: 'CG', name: 'Congo (Rep. of the)', region: 'Africa' },
  { code: 'COL', alpha2: 'CO', name: 'Colombia', region: 'Americas' },
  { code: 'COM', alpha2: 'KM', name: 'Comoros', region: 'Arab States' },
  { code: 'CPV', alpha2: 'CV', name: 'Cabo Verde', region: 'Africa' },
  { code: 'CRI', alpha2: 'CR', name: 'Costa Rica', region: 'Americas' },
  { code: 'CUB', alpha2: 'CU', name: 'Cuba', region: 'Americas' },
  { code: 'CYP', alpha2: 'CY', name: 'Cyprus', region: 'Europe' },
  { code: 'CZE', alpha2: 'CZ', name: 'Czech Republic', region: 'Europe' },
  { code: 'DEU', alpha2: 'DE', name: 'Germany', region: 'Europe' },
  { code: 'DJI', alpha2: 'DJ', name: 'Djibouti', region: 'Arab States' },
  { code: 'DMA', alpha2: 'DM', name: 'Dominica', region: 'Americas' },
  { code: 'DNK', alpha2: 'DK', name: 'Denmark', region: 'Europe' },
  { code: 'DOM', alpha2: 'DO', name: 'Dominican Rep.', region: 'Americas' },
  { code: 'DZA', alpha2: 'DZ', name: 'Algeria', region: 'Arab States' },
  { code: 'ECU', alpha2: 'EC', name: 'Ecuador', region: 'Americas' },
  { code: 'EGY', alpha2: 'EG', name: 'Egypt', region: 'Arab States' },
  { code: 'ERI', alpha2: 'ER', name: 'Eritrea', region: 'Africa' },
  { code: 'ESP', alpha2: 'ES', name: 'Spain', region: 'Europe' },
  { code: 'EST', alpha2: 'EE', name: 'Estonia', region: 'Europe' },
  { code: 'ETH', alpha2: 'ET', name: 'Ethiopia', region: 'Africa' },
  { code: 'FIN', alpha2: 'FI', name: 'Finland', region: 'Europe' },
  { code: 'FJI', alpha2: 'FJ', name: 'Fiji', region: 'Asia-Pacific' },
  { code: 'FRA', alpha2: 'FR', name: 'France', region: 'Europe' },
  { code: 'FSM', alpha2: 'FM', name: 'Micronesia', region: 'Asia-Pacific' },
  { code: 'GAB', alpha2: 'GA', name: 'Gabon', region: 'Africa' },
  { code: 'GBR', alpha2: 'GB', name: 'United Kingdom', region: 'Europe' },
  { code: 'GEO', alpha2: 'GE', name: 'Georgia', region: 'Europe' },
  { code: 'GHA', alpha2: 'GH', name: 'Ghana', region: 'Africa' },
  { code: 'GIN', alpha2: 'GN', name: 'Guinea', region: 'Africa' },
  { code: 'GMB', alpha2: 'GM', name: 'Gambia', region: 'Africa' },
  { code: 'GNB', alpha2: 'GW', name: 'Guinea-Bissau', region: 'Africa' },
  { code: 'GNQ', alpha2: 'GQ', name: 'Equatorial Guinea', region: 'Africa' },
  { code: 'GRC', alpha2: 'GR', name: 'Greece', region: 'Europe' },
  { code: 'GRD', alpha2: 'GD', name: 'Grenada', region: 'Americas' },
  { code: 'GTM', alpha2: 'GT', name: 'Guatemala', region: 'Americas' },
  { code: 'GUY', alpha2: 'GY', name: 'Guyana', region: 'Americas' },
  { code: 'HND', alpha2: 'HN', name: 'Honduras', region: 'Americas' },
  { code: 'HRV', alpha2: 'HR', name: 'Croatia', region: 'Europe' },
  { code: 'HTI', alpha2: 'HT', name: 'Haiti', region: 'Americas' },
  { code: 'HUN', alpha2: 'HU', name: 'Hungary', region: 'Europe' },
  { code: 'IDN', alpha2: 'ID', name: 'Indonesia', region: 'Asia-Pacific' },
  { code: 'IND', alpha2: 'IN', name: 'India', region: 'Asia-Pacific' },
  { code: 'IRL', alpha2: 'IE', name: 'Ireland', region: 'Europe' },
  { code: 'IRN', alpha2: 'IR', name: 'Iran (Islamic Republic of)', region: 'Asia-Pacific' },
  { code: 'IRQ', alpha2: 'IQ', name: 'Iraq', region: 'Arab States' },
  { code: 'ISL', alpha2: 'IS', name: 'Iceland', region: 'Europe' },
  { code: 'ISR', alpha2: 'IL', name: 'Israel', region: 'Europe' },
  { code: 'ITA', alpha2: 'IT', name: 'Italy', region: 'Europe' },
  { code: 'JAM', alpha2: 'JM', name: 'Jamaica', region: 'Americas' },
  { code: 'JOR', alpha2: 'JO', name: 'Jordan', region: 'Arab States' },
  { code: 'JPN', alpha2: 'JP', name: 'Japan', region: 'Asia-Pacific' },
  { code: 'KAZ', alpha2: 'KZ', name: 'Kazakhstan', region: 'CIS' },
  { code: 'KEN', alpha2: 'KE', name: 'Kenya', region: 'Africa' },
  { code: 'KGZ', alpha2: 'KG', name: 'Kyrgyzstan', region: 'CIS' },
  { code: 'KHM', alpha2: 'KH', name: 'Cambodia', region: 'Asia-Pacific' },
  { code: 'KIR', alpha2: 'KI', name: 'Kiribati', region: 'Asia-Pacific' },
  { code: 'KNA', alpha2: 'KN', name: 'Saint Kitts and Nevis', region: 'Americas' },
  { code: 'KOR', alpha2: 'KR', name: 'Korea (Rep. of)', region: 'Asia-Pacific' },
  { code: 'KWT', alpha2: 'KW', name: 'Kuwait', region: 'Arab States' },
  { code: 'LAO', alpha2: 'LA', name: 'Lao P.D.R.', region: 'Asia-Pacific' },
  { code: 'LBN', alpha2: 'LB', name: 'Lebanon', region: 'Arab States' },
  { code: 'LBR', alpha2: 'LR', name: 'Liberia', region: 'Africa' },
  { code: 'LBY', alpha2: 'LY', name: 'Libya', region: 'Arab States' },
  { code: 'LCA', alpha2: 'LC', name: 'Saint Lucia', region: 'Americas' },
  { code: 'LIE', alpha2: 'LI', name: 'Liechtenstein', region: 'Europe' },
  { code: 'LKA', alpha2: 'LK', name: 'Sri Lanka', region: 'Asia-Pacific' },
  { code: 'LSO', alpha2: 'LS', name: 'Lesotho', region: 'Africa' },
  { code: 'LTU', alpha2: 'LT', name: 'Lithuania', region: 'Europe' },
  { code: 'LUX', alpha2: 'LU', name: 'Luxembourg', region: 'Europe' },
  { code: 'LVA', alpha2: 'LV', name: 'Latvia', region: 'Europe' },
  { code: 'MAR', alpha2: 'MA', name: 'Morocco', region: 'Arab States' },
  { code: 'MCO', alpha2: 'MC', name: 'Monaco', region: 'Europe' },
  { code: 'MDA', alpha2: 'MD', name: 'Moldova', region: 'Europe' },
  { code: 'MDG', alpha2: 'MG', name: 'Madagascar', region: 'Africa' },
  { code: 'MDV', alpha2: 'MV', name: 'Maldives', region: 'Asia-Pacific' },
  { code: 'MEX', alpha2: 'MX', name: 'Mexico', region: 'Americas' },
  { code: 'MHL', alpha2: 'MH', name: 'Marshall Islands', region: 'Asia-Pacific' },
  { code: 'MKD', alpha2: 'MK', name: 'North Macedonia', region: 'Europe' },
  { code: 'MLI', alpha2: 'ML', name: 'Mali', region: 'Africa' },
  { code: 'MLT', alpha2: 'MT', name: 'Malta', region: 'Europe' },
  { code: 'MMR', alpha2: 'MM', name: 'Myanmar', region: 'Asia-Pacific' },
  { code: 'MNE', alpha2: 'ME', name: 'Montenegro', region: 'Europe' },
  { code: 'MNG', alpha2: 'MN', name: 'Mongolia', region: 'Asia-Pacific' },
  { code: 'MOZ', alpha2: 'MZ', name: 'Mozambique', region: 'Africa' },
  { code: 'MRT', alpha2: 'MR', name: 'Mauritania', region: 'Arab States' },
  { code: 'MUS', alpha2: 'MU', name: 'Mauritius', region: 'Africa' },
  { code: 'MWI', alpha2: 'MW', name: 'Malawi', region: 'Africa' },
  { code: 'MYS', alpha2: 'MY', name: 'Malaysia', region: 'Asia-Pacific' },
  { code: 'NAM', alpha2: 'NA', name: 'Namibia', region: 'Africa' },
  { code: 'NER', alpha2: 'NE', name: 'Niger', region: 'Africa' },
  { code: 'NGA', alpha2: 'NG', name: 'Nigeria', region: 'Africa' },
  { code: 'NIC', alpha2: 'NI', name: 'Nicaragua', region: 'Americas' },
  { code: 'NLD', alpha2: 'NL', name: 'Netherlands', region: 'Europe' },
  { code: 'NOR', alpha2: 'NO', name: 'Norway', region: 'Europe' },
  { code: 'NPL', alpha2: 'NP', name: 'Nepal', region: 'Asia-Pacific' },
  { code: 'NRU', alpha2: 'NR', name: 'Nauru', region: 'Asia-Pacific' },
  { code: 'NZL', alpha2: 'NZ', name: 'New Zealand', region: 'Asia-Pacific' },
  { code: 'OMN', alpha2: 'OM', name: 'Oman', region: 'Arab States' },
  { code: 'PAK', alpha2: 'PK', name: 'Pakistan', region: 'Asia-Pacific' },
  { code: 'PAN', alpha2: 'PA', name: 'Panama', region: 'Americas' },
  { code: 'PER', alpha2: 'PE', name: 'Peru', region: 'Americas' },
  { code: 'PHL', alpha2: 'PH', name: 'Philippines', region: 'Asia-Pacific' },
  { code: 'PLW', alpha2: 'PW', name: 'Palau', region: 'Asia-Pacific' },
  { code: 'PNG', alpha2: 'PG', name: 'Papua New Guinea', region: 'Asia-Pacific' },
  { code: 'POL', alpha2: 'PL', name: 'Poland', region: 'Europe' },
  { code: 'PRK', alpha2: 'KP', name: "Dem. People's Rep. of Korea", region: 'Asia-Pacific' },
  { code: 'PRT', alpha2: 'PT', name: 'Portugal', region: 'Europe' },
  { code: 'PRY', alpha2: 'PY', name: 'Paraguay', region: 'Americas' },
  { code: 'QAT', alpha2: 'QA', name: 'Qatar', region: 'Arab States' },
  { code: 'ROU', alpha2: 'RO', name: 'Romania', region: 'Europe' },
  { code: 'RUS', alpha2: 'RU', name: 'Russian Federation', region: 'CIS' },
  { code: 'RWA', alpha2: 'RW', name: 'Rwanda', region: 'Africa' },
  { code: 'SAU', alpha2: 'SA', name: 'Saudi Arabia', region: 'Arab States' },
  { code: 'SDN', alpha2: 'SD', name: 'Sudan', region: 'Arab States' },
  { code: 'SEN', alpha2: 'SN', name: 'Senegal', region: 'Africa' },
  { code: 'SGP', alpha2: 'SG', name: 'Singapore', region: 'Asia-Pacific' },
  { code: 'SLB', alpha2: 'SB', name: 'Solomon Islands', region: 'Asia-Pacific' },
  { code: 'SLE', alpha2: 'SL', name: 'Sierra Leone', region: 'Africa' },
  { code: 'SLV', alpha2: 'SV', name: 'El Salvador', region: 'Americas' },
  { code: 'SMR', alpha2: 'SM', name: 'San Marino', region: 'Europe' },
  { code: 'SOM', alpha2: 'SO', name: 'Somalia', region: 'Arab States' },
  { code: 'SRB', alpha2: 'RS', name: 'Serbia', region: 'Europe' },
  { code: 'SSD', alpha2: 'SS', name: 'South Sudan', region: 'Africa' },
  { code: 'STP', alpha2: 'ST', name: 'Sao Tome and Principe', region: 'Africa' },
  { code: 'SUR', alpha2: 'SR', name: 'Suriname', region: 'Americas' },
  { code: 'SVK', alpha2: 'SK', name: 'Slovakia', region: 'Europe' },
  { code: 'SVN', alpha2: 'SI', name: 'Slovenia', region: 'Europe' },
  { code: 'SWE', alpha2: 'SE', name: 'Sweden', region: 'Europe' },
  { code: 'SWZ', alpha2: 'SZ', name: 'Eswatini', region: 'Africa' },
  { code: 'SYC', alpha2: 'SC', name: 'Seychelles', region: 'Africa' },
  { code: 'SYR', alpha2: 'SY', name: 'Syrian Arab Republic', region: 'Arab States' },
  { code: 'TCD', alpha2: 'TD', name: 'Chad', region: 'Africa' },
  { code: 'TGO', alpha2: 'TG', name: 'Togo', region: 'Africa' },
  { code: 'THA', alpha2: 'TH', name: 'Thailand', region: 'Asia-Pacific' },
  { code: 'TJK', alpha2: 'TJ', name: 'Tajikistan', region: 'CIS' },
  { code: 'TKM', alpha2: 'TM', name: 'Turkmenistan', region: 'CIS' },
  { code: 'TLS', alpha2: 'TL', name: 'Timor-Leste', region: 'Asia-Pacific' },
  { code: 'TON', alpha2: 'TO', name: 'Tonga', region: 'Asia-Pacific' },
  { code: 'TTO', alpha2: 'TT', name: 'Trinidad and Tobago', region: 'Americas' },
  { code: 'TUN', alpha2: 'TN', name: 'Tunisia', region: 'Arab States' },
  { code: 'TUR', alpha2: 'TR', name: 'Türkiye', region: 'Europe' },
  { code: 'TUV', alpha2: 'TV', name: 'Tuvalu', region: 'Asia-Pacific' },
  { code: 'TZA', alpha2: 'TZ', name: 'Tanzania', region: 'Africa' },
  { code: 'UGA', alpha2: 'UG', name: 'Uganda', region: 'Africa' },
  { code: 'UKR', alpha2: 'UA', name: 'Ukraine', region: 'Europe' },
  { code: 'URY', alpha2: 'UY', name: 'Uruguay', region: 'Americas' },
  { code: 'USA', alpha2: 'US', name: 'United States', region: 'Americas' },
  { code: 'UZB', alpha2: 'UZ', name: 'Uzbekistan', region: 'CIS' },
  { code: 'VAT', alpha2: 'VA', name: 'Holy See', region: 'Europe' },
  { code: 'VCT', alpha2: 'VC', name: 'Saint Vincent and the Grenadines', region: 'Americas' },
  { code: 'VEN', alpha2: 'VE', name: 'Venezuela', region: 'Americas' },
  { code: 'VNM', alpha2: 'VN', name: 'Viet Nam', region: 'Asia-Pacific' },
  { code: 'VUT', alpha2: 'VU', name: 'Vanuatu', region: 'Asia-Pacific' },
  { code: 'WSM', alpha2: 'WS', name: 'Samoa', region: 'Asia-Pacific' },
  { code: 'YEM', alpha2: 'YE', name: 'Yemen', region: 'Arab States' },
  { code: 'ZAF', alpha2: 'ZA', name: 'South Africa', region: 'Africa' },
  { code: 'ZMB', alpha2: 'ZM', name: 'Zambia', region: 'Africa' },
  { code: 'ZWE', alpha2: 'ZW', name: 'Zimbabwe', region: 'Africa' },
]

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('countries')
    .addColumn('code', 'char(3)', (col) => col.primaryKey())
    .addColumn('alpha2', 'char(2)', (col) => col.notNull().unique())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('region', 'text', (col) => col.notNull().check(sql`region in ('Africa', 'Americas', 'Arab States', 'Asia-Pacific', 'CIS', 'Europe')`))
    .execute()

  await db.schema.createIndex('countries_region_idx').on('countries').column('region').execute()

  await db
    .insertInto('countries')
    .values(COUNTRIES.map((c) => ({ code: c.code, alpha2: c.alpha2, name: c.name, region: c.region })))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('countries').execute()
}
