import assert from 'node:assert/strict';
import { formatMarker, parseMarker, stripMarkers, withMarker } from '../../src/loops/marker.js';

const KEY = 'marker-key-for-tests-0123456789';
const mark = { chainId: 'ch-abc123', depth: 2, actId: 'act-xyz' };

describe('chain marker', function () {
  it('round-trips: what Reynolds writes, it recognises', function () {
    const body = withMarker('Thanks for the PR! Maximum Effort.', mark, KEY);
    assert.match(
      body,
      /^Thanks for the PR! Maximum Effort\.\n\n<!-- reynolds:v1 chain=ch-abc123 depth=2 act=act-xyz sig=[\w-]{22} -->$/,
    );
    assert.deepEqual(parseMarker(body, KEY), mark);
    assert.deepEqual(
      parseMarker(`${body}\n\n   \n`, KEY),
      mark,
      'trailing whitespace GitHub may add',
    );
  });

  it('rejects forged markers: wrong key, edited depth or chain, bad signature', function () {
    const body = withMarker('hi', mark, KEY);
    assert.equal(parseMarker(body, 'another-reynolds-key-0123456789'), undefined);
    assert.equal(parseMarker(body.replace('depth=2', 'depth=0'), KEY), undefined);
    assert.equal(parseMarker(body.replace('chain=ch-abc123', 'chain=ch-other'), KEY), undefined);
    assert.equal(
      parseMarker('<!-- reynolds:v1 chain=a depth=1 act=b sig=AAAAAAAAAAAAAAAAAAAAAA -->', KEY),
      undefined,
    );
  });

  it('ignores a marker that is not the last thing in the body', function () {
    const body = `${withMarker('quoted', mark, KEY)}\n\nAnd my own words after it.`;
    assert.equal(parseMarker(body, KEY), undefined);
  });

  it('ignores markers inside code blocks, inline code and quotes', function () {
    const marker = formatMarker(mark, KEY);
    assert.equal(
      parseMarker(`Look at this:\n\n\`\`\`html\n${marker}`, KEY),
      undefined,
      'open fence',
    );
    assert.equal(
      parseMarker(`Look at this:\n\n~~~~\n${marker}`, KEY),
      undefined,
      'open tilde fence',
    );
    assert.equal(parseMarker(`Look: \`${marker}`, KEY), undefined, 'inline code');
    assert.equal(parseMarker(`> Reynolds said:\n> ${marker}`, KEY), undefined, 'quote reply');
    assert.deepEqual(
      parseMarker(`\`\`\`\ncode\n\`\`\`\n\n${marker}`, KEY),
      mark,
      'a closed fence before it is fine',
    );
  });

  it('costs the same on a huge hostile body and never throws', function () {
    const hostile =
      '<!-- reynolds:v1 '.repeat(200_000) + '`'.repeat(10_000) + '\n```\n'.repeat(5_000);
    assert.equal(parseMarker(hostile, KEY), undefined);
    assert.equal(
      parseMarker(`${'x'.repeat(5_000_000)}\n\n${formatMarker(mark, KEY)}`, KEY)?.chainId,
      'ch-abc123',
    );
    for (const junk of [
      undefined,
      '',
      '<!--',
      '-->',
      '<!-- reynolds:v1 chain= depth= act= sig= -->',
      '\u0000\uffff',
    ]) {
      assert.equal(parseMarker(junk as string, KEY), undefined);
    }
  });

  it('strips markers for display and fingerprints', function () {
    assert.equal(stripMarkers(withMarker('hello', mark, KEY)).trim(), 'hello');
  });
});
