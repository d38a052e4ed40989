// The one Database interface: every table as Kysely sees it. Elsewhere use Selectable/Insertable.
import type { ColumnType, Generated, JSONColumnType } from 'kysely'

// Insert may omit it where the column has a default.
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>

export type Role = 'administration' | 'staff' | 'admin'
export const ASSESSMENT_STATUSES = ['draft', 'submitted', 'returned', 'validated'] as const
export type AssessmentStatus = (typeof ASSESSMENT_STATUSES)[number]
/** ITU-D regions. */
export const REGIONS = ['Africa', 'Americas', 'Arab States', 'Asia-Pacific', 'CIS', 'Europe'] as const
export type Region = (typeof REGIONS)[number]

export interface CountriesTable {
  code: string
  alpha2: string
  name: string
  region: Region
}

export interface QuestionnaireVersionsTable {
  questionnaire: string
  version: number
  title: string
  content: ColumnType<unknown, string, string>
  hash: string
  question_count: number
  synced_at: Timestamp
}

/** One row per domain of a questionnaire version, for SQL joins in aggregates and exports. */
export interface QuestionnaireDomainsTable {
  questionnaire: string
  version: number
  domain: string
  position: number
  title: string
}

/** One row per question of a questionnaire version, for SQL joins in exports. */
export interface QuestionnaireQuestionsTable {
  questionnaire: string
  version: number
  question_id: string
  domain: string
  position: number
  type: string
  force: string
  source_ref: string
  weight: number
}

export interface TokensTable {
  id: Generated<string>
  hash: Buffer
  prefix: string
  role: Role
  country: string | null
  label: string
  created_at: Timestamp
  created_by: string | null
  expires_at: Timestamp | null
  revoked_at: Timestamp | null
  last_used_at: Timestamp | null
  /** Whose token: it carries at most that person's rights. */
  person_id: string | null
}

export const PERSON_STATUSES = ['invited', 'active', 'disabled'] as const
export type PersonStatus = (typeof PERSON_STATUSES)[number]
export const MEMBERSHIP_ROLES = ['focal_point', 'contributor', 'reviewer', 'analyst', 'admin'] as const
export type MembershipRole = (typeof MEMBERSHIP_ROLES)[number]

export interface PersonsTable {
  id: Generated<string>
  name: string
  /** Unique case-insensitively; null only for persons made for tokens that predate persons. */
  email: string | null
  language: Generated<'ar' | 'en' | 'es' | 'fr' | 'ru' | 'zh'>
  status: Generated<PersonStatus>
  /** argon2id (PHC string); null until the person sets a password. */
  password_hash: string | null
  created_at: Timestamp
  created_by: string | null
  last_sign_in_at: Timestamp | null
  /** TOTP (base32) once confirmed; the pending one while it is being set up. */
  totp_secret: string | null
  totp_pending_secret: string | null
  totp_enabled_at: Timestamp | null
  /** The last accepted TOTP time step: a code works once. */
  totp_last_step: ColumnType<string | null, string | number | null, string | number | null>
  /** Bound on the first single sign-on. */
  oidc_issuer: string | null
  oidc_subject: string | null
  /** Bumped by triggers whenever the person's rights may have changed (migrations/…_access_versions.ts). */
  access_version: ColumnType<string, never, never>
}

export interface PasswordResetsTable {
  secret_hash: Buffer
  person_id: string
  created_at: Timestamp
  expires_at: Timestamp
  used_at: Timestamp | null
}

export interface OidcLoginsTable {
  state_hash: Buffer
  code_verifier: string
  nonce: string
  expires_at: Timestamp
}

export interface RecoveryCodesTable {
  person_id: string
  code_hash: Buffer
  used_at: Timestamp | null
}

export interface MembershipsTable {
  id: Generated<string>
  person_id: string
  role: MembershipRole
  /** For focal_point and contributor: the country they act for. */
  country: string | null
  /** A contributor limited to some domains of one questionnaire. */
  questionnaire: string | null
  domains: string[] | null
  created_at: Timestamp
  created_by: string | null
}

export interface InvitationsTable {
  id: Generated<string>
  person_id: string
  secret_hash: Buffer
  created_at: Timestamp
  created_by: string | null
  expires_at: Timestamp
  accepted_at: Timestamp | null
  revoked_at: Timestamp | null
}

export interface SessionsTable {
  /** SHA-256 of the cookie's random value. */
  id: Buffer
  person_id: string
  /** Set when the session was opened with an API token: it carries at most the token's rights. */
  token_id: string | null
  created_at: Timestamp
  last_seen_at: Timestamp
  expires_at: Timestamp
  address: string | null
  user_agent: string | null
  /** A random id to name the session by (ending one): never derived from the secret. */
  public_id: Generated<string>
}

export const AUDIT_ACTIONS = [
  'sign_in',
  'sign_in_failed',
  'sign_out',
  'person_invited',
  'invitation_resent',
  'invitation_accepted',
  'person_changed',
  'membership_granted',
  'membership_withdrawn',
  'sessions_ended',
  'token_created',
  'token_revoked',
  'second_factor_enabled',
  'second_factor_disabled',
  'recovery_code_used',
  'password_reset_requested',
  'password_reset',
  'password_changed',
  'recovery_codes_renewed',
  'invitation_revoked',
  'membership_changed',
  'campaign_created',
  'campaign_changed',
  'campaign_opened',
  'campaign_closed',
  'campaign_reminded',
  'validation_undone',
  'publication_made',
  'evidence_uploaded',
  'evidence_deleted',
  'evidence_attached',
  'evidence_detached',
  'evidence_reviewed',
  'scenario_created',
  'scenario_changed',
  'scenario_deleted',
] as const
export type AuditAction = (typeof AUDIT_ACTIONS)[number]

export interface AuditEventsTable {
  id: Generated<string>
  at: Timestamp
  action: AuditAction
  actor_person: string | null
  actor_token: string | null
  subject_person: string | null
  address: string | null
  details: JSONColumnType<Record<string, unknown>, string, string>
}

export interface AuthFailuresTable {
  key: string
  at: Timestamp
}

export interface AssessmentsTable {
  id: Generated<string>
  country: string
  questionnaire: string
  version: number
  cycle: number
  status: AssessmentStatus
  /** Bumped by every change; the assessment's ETag. */
  revision: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
  created_by: string | null
  carried_from: string | null
  /** Derived from answers by the scoring module, in the same transaction as the change. */
  overall_score: number | null
  coverage: Generated<number>
  tier: string | null
  answered: Generated<number>
  applicable: Generated<number>
  /** The campaign that made it (null for assessments that predate campaigns). */
  campaign_id: string | null
  /** Submitted after the campaign's deadline. */
  late: Generated<boolean>
}

export const CAMPAIGN_STATES = ['draft', 'open', 'closed', 'published'] as const
export type CampaignState = (typeof CAMPAIGN_STATES)[number]

export interface CampaignsTable {
  id: Generated<string>
  questionnaire: string
  version: number
  cycle: number
  title: string
  opens_at: Timestamp
  deadline: Timestamp
  state: Generated<CampaignState>
  allow_late: Generated<boolean>
  /** Reminders go this many days before the deadline (and once on the day after it). */
  reminder_days: Generated<number[]>
  created_at: Timestamp
  created_by: string | null
  opened_at: Timestamp | null
  closed_at: Timestamp | null
}

export interface CampaignCountriesTable {
  campaign_id: string
  country: string
}

export interface AnswersTable {
  assessment_id: string
  question_id: string
  value: ColumnType<unknown, string | null, string | null>
  special: 'not_applicable' | 'unknown' | null
  comment: string | null
  evidence: JSONColumnType<{ title: string; url: string }[], string, string>
  carried_forward: Generated<boolean>
  /** The question's raw score 0–1 (null when unscored or not counted), derived by the scoring module. */
  score: number | null
  revision: Generated<number>
  updated_at: Timestamp
  updated_by: string | null
  updated_by_role: Role | null
}

export interface AnswerHistoryTable {
  /** A random UUID: administrations may see it. */
  id: Generated<string>
  /** Order of insertion (bigserial); private, never sent to a client. */
  seq: Generated<string>
  assessment_id: string
  question_id: string
  revision: number
  old_answer: ColumnType<unknown, string | null, string | null>
  new_answer: ColumnType<unknown, string | null, string | null>
  changed_at: Timestamp
  changed_by: string | null
  changed_by_role: Role | null
}

export interface ReviewCommentsTable {
  /** A random UUID: administrations may see it. */
  id: Generated<string>
  /** Order of insertion (bigserial); private, never sent to a client. */
  seq: Generated<string>
  assessment_id: string
  question_id: string | null
  body: string
  author: string | null
  author_label: string
  created_at: Timestamp
}

export interface TransitionsTable {
  /** A random UUID: administrations may see it. */
  id: Generated<string>
  /** Order of insertion (bigserial); private, never sent to a client. */
  seq: Generated<string>
  assessment_id: string
  from_status: AssessmentStatus | null
  to_status: AssessmentStatus
  comment: string | null
  actor: string | null
  actor_role: Role | null
  at: Timestamp
}

export interface DomainScoresTable {
  assessment_id: string
  domain: string
  score: number | null
  coverage: number
  tier: string | null
  applicable: number
  answered: number
  not_applicable: number
  unknown: number
  missing: number
}

export interface Database {
  countries: CountriesTable
  questionnaire_versions: QuestionnaireVersionsTable
  questionnaire_domains: QuestionnaireDomainsTable
  questionnaire_questions: QuestionnaireQuestionsTable
  tokens: TokensTable
  persons: PersonsTable
  memberships: MembershipsTable
  invitations: InvitationsTable
  sessions: SessionsTable
  auth_failures: AuthFailuresTable
  audit_events: AuditEventsTable
  recovery_codes: RecoveryCodesTable
  oidc_logins: OidcLoginsTable
  password_resets: PasswordResetsTable
  assessments: AssessmentsTable
  campaigns: CampaignsTable
  campaign_countries: CampaignCountriesTable
  answers: AnswersTable
  answer_history: AnswerHistoryTable
  review_comments: ReviewCommentsTable
  transitions: TransitionsTable
  domain_scores: DomainScoresTable
  jobs: JobsTable
  sent_messages: SentMessagesTable
  publications: PublicationsTable
  publication_countries: PublicationCountriesTable
  publication_domain_scores: PublicationDomainScoresTable
  evidence_documents: EvidenceDocumentsTable
  evidence_chunks: EvidenceChunksTable
  evidence_attachments: EvidenceAttachmentsTable
  evidence_reviews: EvidenceReviewsTable
  scenarios: ScenariosTable
}

/** Background work, claimed with FOR UPDATE SKIP LOCKED (src/jobs). */
export interface JobsTable {
  id: Generated<string>
  /** Order of queuing (bigserial); private. */
  seq: Generated<string>
  kind: string
  payload: JSONColumnType<Record<string, unknown>, string, string>
  /** Unique when set: the same work is queued once. */
  key: string | null
  run_at: Timestamp
  attempts: Generated<number>
  last_error: string | null
  created_at: Timestamp
  done_at: Timestamp | null
  /** Set when the job gave up after its last attempt. */
  failed_at: Timestamp | null
}

/** Every mail the service sent (jobs record theirs). */
export interface SentMessagesTable {
  id: Generated<string>
  kind: string
  to_address: string
  person_id: string | null
  campaign_id: string | null
  country: string | null
  assessment_id: string | null
  language: string
  subject: string
  job_id: string | null
  sent_at: Timestamp
}

/** A publication of a campaign's figures (the first, or a dated correction). */
export interface PublicationsTable {
  id: Generated<string>
  campaign_id: string
  /** 1 for the publication, 2… for corrections. */
  number: number
  published_at: Timestamp
  published_by: string | null
  /** What the correction changes and why (null for a first publication without one). */
  note: string | null
  /** The k the disclosure rules were applied with. */
  min_group_size: number
  /** Every aggregate cell (group × table) after the disclosure rules (publications/disclosure.ts CellFigures). */
  cells: JSONColumnType<unknown[], string, string>
  /** What changed since the previous publication (publications/changes.ts); null for the first. */
  changes: JSONColumnType<Record<string, unknown> | null, string | null, string | null>
}

/** A country's figures as published: the snapshot of its validated assessment. */
export interface PublicationCountriesTable {
  publication_id: string
  country: string
  assessment_id: string
  region: Region
  overall_score: number | null
  tier: string | null
}

export interface PublicationDomainScoresTable {
  publication_id: string
  country: string
  domain: string
  score: number | null
  tier: string | null
}

/** An uploaded evidence file of an assessment's library; its bytes are in evidence_chunks. */
export interface EvidenceDocumentsTable {
  /** A random UUID, made before the bytes arrive (the chunks point to it). */
  id: string
  assessment_id: string
  /** The name as the uploader's file had it, for display. */
  name: string
  /** The name made safe for a download (no path separators or control characters). */
  filename: string
  /** The type read from the bytes, never from the name. */
  media_type: string
  size: ColumnType<string, number, never>
  sha256: string
  uploaded_at: Timestamp
  uploaded_by: string | null
}

export interface EvidenceChunksTable {
  document_id: string
  seq: number
  data: Buffer
}

export type EvidenceReviewStatus = 'accepted' | 'insufficient'

export interface EvidenceAttachmentsTable {
  id: Generated<string>
  assessment_id: string
  question_id: string
  document_id: string
  attached_at: Timestamp
  attached_by: string | null
}

/** A reviewer's verdict on one piece of evidence: an attached document, or a link of answers.evidence. */
export interface EvidenceReviewsTable {
  id: Generated<string>
  assessment_id: string
  question_id: string
  attachment_id: string | null
  url: string | null
  status: EvidenceReviewStatus
  comment: string | null
  reviewed_at: Timestamp
  reviewed_by: string | null
}

/** A named what-if of the Expert Group, applied to stored raw scores when read (src/scenarios). */
export interface ScenariosTable {
  id: Generated<string>
  name: string
  description: Generated<string>
  questionnaire: string
  version: number
  definition: JSONColumnType<Record<string, unknown>, string, string>
  created_at: Timestamp
  created_by: string | null
  updated_at: Timestamp
  updated_by: string | null
}
