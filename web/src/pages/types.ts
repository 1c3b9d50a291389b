// Row shapes of the API's lists (src/server/queries.cc). Members a role cannot see are
// simply absent; pages treat every member as optional where the server may omit it.
export type Quantities = Record<string, number>;
export interface Location {
  lat_e6: number;
  lon_e6: number;
}
export interface Project {
  project: string;
  title: string;
  category: string;
  sector: string;
  area: string;
  implementer: string;
  status: string;
  currency: string;
  budget: number;
  proposed_budget: number;
  location: Location;
  pending_round: boolean;
}
export interface BoqLine {
  item: string;
  proposed: number;
  approved: number;
  allocated: number;
  released: number;
  verified: number;
  progress_permille: number;
}
export interface Round {
  kind: string;
  opened: string;
  deadline: string;
  quorum: { of: string[]; k: number };
  approvals: string[];
  rejections: string[];
  waiting_for: string[];
  budget_add: number;
  boq_add: Quantities;
}
export interface ProjectDetail extends Project {
  boq: BoqLine[];
  approval?: Round | null;
  round?: Round | null;
  timeline_total?: number;
  funds: { currency: string; committed: number; disbursed: number; paid: number }[];
  commitments: { commitment: string; donor: string; amount: { currency: string; amount: number }; disbursed: number }[];
  timeline: { seq: number; type?: string; actor?: string; logged?: string; id?: string }[];
}
export interface FlowRow {
  currency: string;
  pledged: number;
  committed: number;
  disbursed: number;
  paid: number;
  donor?: string;
  project?: string;
  payee?: string;
}
export interface Commitment {
  commitment: string;
  donor: string;
  project: string;
  currency: string;
  amount: number;
  disbursed: number;
  conditions: { condition: string; text: string; met: boolean }[];
  disbursements: { disbursement: string; to: string; amount: { currency: string; amount: number } }[];
  project_payments: { payment: string; payee: string; amount: { currency: string; amount: number }; invoice: string }[];
}
export interface Warehouse {
  warehouse: string;
  vendor: string;
  area: string;
  location: Location;
  stock: { item: string; book: number; last_count?: { count: string; quantity: number; book: number; logged: string } }[];
}
export interface Consignment {
  consignment: string;
  vendor: string;
  warehouse: string;
  opened: string;
  deadline: string;
  status: string;
  projects: string[];
  lines: { item: string; for: string; requested: number; status: string; approved: number }[];
  entered: Quantities;
  crossing?: string;
  crossings?: Record<string, Quantities>;
}
export interface Release {
  release: string;
  warehouse: string;
  vendor: string;
  to: string;
  logged: string;
  week: string;
  lines: Quantities;
}
export interface Hit {
  hit: string;
  subject: string;
  list: string;
  entry: string;
  score: number;
  algorithm: string;
  status: string;
  deadline: string;
  decision: string;
  explanation?: string;
  seq?: number;
}
export interface Alert {
  alert: string;
  kind: string;
  subject: string;
  severity: string;
  detail: string;
  evidence: string[];
  status: string;
  case: string;
}
export interface Case {
  case: string;
  alerts: string[];
  notes: { actor: string; logged: string; text: string }[];
  status: string;
  finding: string;
  actions: { action: string; party: string; note: string }[];
}
export interface Pending {
  kind: string;
  id: string;
  deadline: string;
  party: string;
  quorum: { of: string[]; k: number } | null;
  waiting_for: string[];
}
export interface Dashboard {
  totals: Record<string, number>;
  projects_by_status: Record<string, number>;
  by_item: { item: string; unit?: string; approved: number; entered: number; in_stock: number; released: number; verified: number }[];
  by_area: { area: string; projects: number; households: number; released: Quantities }[];
  by_week: { week: string; released: Quantities }[];
}
export interface Beneficiary {
  beneficiary: string;
  area: string;
  household_size: number;
  damage: string;
  entitlement: Quantities;
  released: Quantities;
  verified: Quantities;
  pii: string;
  private?: Record<string, unknown>;
}
