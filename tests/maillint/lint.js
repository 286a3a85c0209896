// Checks HTML files against the caniemail data (https://www.caniemail.com) with @jsx-email/doiuse-email, for the mail
// clients the collection's mails are made for, and prints the result as JSON:
//   node tests/maillint/lint.js body.html ...   ->   {"body.html": {"errors": [...], "warnings": [...], "notes": [...]}}
// The package is installed by `make maillint` into .cache/maillint (outside the collection's files, which are built
// into its tarball); MAILLINT_MODULES names another node_modules directory. MAILLINT_CLIENTS (comma-separated)
// replaces the mail clients checked.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const CLIENTS = ['outlook.windows', 'gmail.desktop-webmail', 'apple-mail.macos'];
const modules = process.env.MAILLINT_MODULES || path.join(__dirname, '..', '..', '.cache', 'maillint', 'node_modules');

let doIUseEmail;
try {
  ({ doIUseEmail } = require(path.join(modules, '@jsx-email', 'doiuse-email')));
} catch (error) {
  process.stderr.write(`@jsx-email/doiuse-email is not installed in ${modules} (make maillint installs it): ${error.message}\n`);
  process.exit(2);
}

const clients = process.env.MAILLINT_CLIENTS ? process.env.MAILLINT_CLIENTS.split(',') : CLIENTS;
const results = {};
for (const file of process.argv.slice(2)) {
  const found = doIUseEmail(fs.readFileSync(file, 'utf8'), { emailClients: clients });
  results[file] = { clients, errors: found.errors || [], warnings: found.warnings || [], notes: found.notes || [] };
}
process.stdout.write(JSON.stringify(results, null, 2) + '\n');
