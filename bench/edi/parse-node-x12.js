// Times node-x12 on an X12 file, for bench/edi/run.sh.
//
//   node parse-node-x12.js FILE stream   segments from X12Parser as a Transform stream
//   node parse-node-x12.js FILE parse    X12Parser.parse on the whole file (object model)
//
// Prints one line: mode, bytes, segments, seconds and MB/s (10^6 bytes/s).
// Stream mode passes the delimiters explicitly and runs non-strict because
// node-x12 1.7.1 re-detects them from every chunk otherwise (its
// _parsedISA flag is only set by parse()), which fails on any file larger
// than one chunk.
'use strict'
const fs = require('fs')
const { X12Parser } = require('node-x12')

const [file, mode = 'stream'] = process.argv.slice(2)
const bytes = fs.statSync(file).size

function report (start, segments) {
  const secs = Number(process.hrtime.bigint() - start) / 1e9
  console.log(`mode=${mode} bytes=${bytes} segments=${segments} seconds=${secs.toFixed(3)} mbps=${(bytes / secs / 1e6).toFixed(1)}`)
}

if (mode === 'stream') {
  const start = process.hrtime.bigint()
  const parser = new X12Parser(false, 'utf8', {
    elementDelimiter: '*', segmentTerminator: '~', subElementDelimiter: ':', repetitionDelimiter: '^', endOfLine: '\n', format: true
  })
  let segments = 0
  let touched = 0
  fs.createReadStream(file).pipe(parser)
    .on('data', seg => { segments++; touched += seg.elements.length })
    .on('end', () => report(start, segments))
    .on('error', err => { console.error(err); process.exit(1) })
} else if (mode === 'parse') {
  const start = process.hrtime.bigint()
  const ic = new X12Parser(true).parse(fs.readFileSync(file, 'utf8'))
  let segments = 2 // ISA and IEA
  for (const g of ic.functionalGroups) {
    segments += 2
    for (const t of g.transactions) segments += 2 + t.segments.length
  }
  report(start, segments)
} else {
  console.error(`unknown mode ${mode}`)
  process.exit(2)
}
