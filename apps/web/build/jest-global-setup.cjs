/** Jest: the web tests import the compiled messages (src/paraglide), so compile them first when stale. */
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

module.exports = () => {
  execFileSync(process.execPath, [join(__dirname, 'compile-messages.js')], { stdio: 'inherit' });
};
