/**
 * Word lists for the seeded emulator world: plain names for the bulk of users, and the awkward ones
 * real tenants have (non-Latin scripts, diacritics, names with spaces around them).
 */

export const firstNames = [
  'Anna', 'Ben', 'Chloe', 'David', 'Emma', 'Felix', 'Grace', 'Henry', 'Isla', 'Jack', 'Kate', 'Liam',
  'Maya', 'Noah', 'Olivia', 'Paul', 'Quinn', 'Ruby', 'Sam', 'Tara', 'Umar', 'Vera', 'Will', 'Xena',
  'Yusuf', 'Zoe', 'Aaron', 'Bella', 'Carlos', 'Dana', 'Erik', 'Fiona', 'Gareth', 'Hannah', 'Ivan',
  'Julia', 'Kevin', 'Laura', 'Marco', 'Nina', 'Oscar', 'Priya', 'Rafael', 'Sofia', 'Tom', 'Ursula',
] as const;

export const lastNames = [
  'Smith', 'Jones', 'Brown', 'Taylor', 'Wilson', 'Davies', 'Evans', 'Thomas', 'Johnson', 'Roberts',
  'Walker', 'Wright', 'Robinson', 'Thompson', 'White', 'Hughes', 'Edwards', 'Green', 'Hall', 'Wood',
  'Harris', 'Lewis', 'Martin', 'Jackson', 'Clarke', 'Clark', 'Turner', 'Hill', 'Scott', 'Cooper',
  'Morris', 'Ward', 'Moore', 'King', 'Watson', 'Baker', 'Harrison', 'Morgan', 'Patel', 'Young',
] as const;

/** Names that break naive ASCII handling: Greek, Chinese, Polish, Spanish, Arabic, German. */
export const nonLatinNames: ReadonlyArray<readonly [first: string, last: string, emailLocal: string]> = [
  ['Ελένη', 'Παπαδοπούλου', 'eleni.papadopoulou'],
  ['芳', '王', 'wang.fang'],
  ['Łukasz', 'Wójcik', 'lukasz.wojcik'],
  ['José', 'Núñez', 'jose.nunez'],
  ['محمد', 'العلي', 'm.alali'],
  ['Jürgen', 'Groß', 'juergen.gross'],
];

export const organizationNames = [
  'Acme Dental', 'Blue Harbor Logistics', 'Cedar Law Partners', 'Delta Veterinary', 'Evergreen Schools',
  'Fjord Engineering', 'Granite Accounting', 'Harbor View Hotel', 'Iris Architecture', 'Juniper Clinics',
  'Kestrel Manufacturing', 'Lumen Media', 'Maple Insurance', 'Northwind Traders', 'Orchid Pharmacy',
  'Pioneer Construction', 'Quartz Analytics', 'Riverbend Council', 'Summit Outdoor', 'Tidewater Bank',
] as const;

export const technicianRoles = ['Help Desk', 'Field Technician', 'Network Engineer', 'Billing'] as const;
export const endUserRoles = ['Standard End User', 'Power User', 'Approver'] as const;

export const deviceClasses = ['WINDOWS_WORKSTATION', 'WINDOWS_WORKSTATION', 'WINDOWS_WORKSTATION', 'MAC', 'LINUX_WORKSTATION', 'WINDOWS_SERVER'] as const;
