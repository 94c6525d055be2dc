// I/O: postinstall: one line saying why Node 22, printed only when npm itself runs on an older Node (its
// EBADENGINE warnings are hidden by .npmrc). npm puts node_modules/.bin first on PATH for scripts, so this
// script already runs on node@22; the Node running npm is read from npm's user agent
// ("npm/11.19.1 node/v20.20.2 linux x64 ..."; npm docs, config "user-agent").
'use strict';
const agent = process.env.npm_config_user_agent ?? '';
const match = /\bnode\/v(\d+)\.\S*/.exec(agent);
if (match && Number(match[1]) < 22) {
  console.log(
    `bricklane: npm runs on Node ${match[0].slice(5)}; npm scripts use the pinned node@22 (node_modules/.bin/node) ` +
      "because Azure Functions runs this app on Node 22, so packages' Node >= 22 engine warnings do not apply.",
  );
}
