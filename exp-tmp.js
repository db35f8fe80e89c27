const zlib=require('zlib');const fs=require('fs');
const { pprofMessageType } = require('./dist/src/pprof/profile-proto');
const { Int64Reader } = require('./dist/src/pprof/int64-reader');
const { decodeProfile } = require('./dist/src/pprof/decode-profile');
const { profileEdges } = require('./dist/src/pprof/profile-edges');
const f=process.argv[2]; const gz=fs.readFileSync(f); const raw=zlib.gunzipSync(gz);
const T=pprofMessageType('Profile');
function alloc(name, fn){ for(let i=0;i<3;i++)fn(); global.gc(); const N=10; const v8=require('v8');
 let before=process.memoryUsage().heapUsed; let t=process.hrtime.bigint(); let total=0;
 // measure via forcing no-gc: use large heap
 for(let i=0;i<N;i++){ const h0=process.memoryUsage().heapUsed; fn(); const h1=process.memoryUsage().heapUsed; total+=Math.max(0,h1-h0);}
 console.log(name, 'ms', (Number(process.hrtime.bigint()-t)/1e6/N).toFixed(1), 'approx MB retained+alloc', (total/N/1e6).toFixed(1)); }
alloc('gunzip', ()=>zlib.gunzipSync(gz));
alloc('pb', ()=>T.decode(new Int64Reader(raw)));
alloc('decodeProfile', ()=>decodeProfile(gz,'x'));
const d=decodeProfile(gz,'x').value;
alloc('edges', ()=>profileEdges(d,'x'));
const m=T.decode(new Int64Reader(raw)); let n=0,lines=0,labels=0; for(const s of m.sample){n+=s.location_id.length; labels+=s.label.length} for(const l of m.location) lines+=l.line.length;
console.log('locids',n,'lines',lines,'labels',labels,'mappings',m.mapping.length);
