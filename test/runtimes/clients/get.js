// get.js: the oracle's Node.js client. One https.get per NAME=URL argument
// with the default agent's trust store, one line per argument: NAME, "ok" or
// "fail", and the error's code and message as Node reports them.
'use strict';
const https = require('https');

function one(name, url) {
	return new Promise((resolve) => {
		const req = https.get(url, { agent: false, timeout: 10000 }, (res) => {
			res.resume();
			res.on('end', () => { resolve(`${name}\tok\t-`); });
		});
		req.on('timeout', () => { req.destroy(new Error('timeout')); });
		req.on('error', (e) => {
			const msg = `${e.code || ''}: ${e.message}`.replace(/\n/g, ' ');
			resolve(`${name}\tfail\t${msg}`);
		});
	});
}

(async () => {
	for (const a of process.argv.slice(2)) {
		const i = a.indexOf('=');
		console.log(await one(a.slice(0, i), a.slice(i + 1)));
	}
})();
