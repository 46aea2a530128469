import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { optionBool, parseBool, queryFlag, queryOption } from './parse-bool.js';

describe('booleans in query strings', () => {
  it('parses as Go strconv.ParseBool', () => {
    for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(parseBool(t), true, t);
    for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(parseBool(f), false, f);
    for (const bad of ['', 'yes', 'no', 'tRUE', 'fAlse', ' true', '2']) assert.equal(parseBool(bad), undefined, bad);
  });

  it('reads options as apimachinery converts url.Values: only 0 and false in any case are false', () => {
    for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True', 'tRuE', 'yes', 'f', 'F', '', '2']) assert.equal(optionBool(t), true, t);
    for (const f of ['0', 'false', 'False', 'FALSE', 'fAlSe']) assert.equal(optionBool(f), false, f);
  });

  it('tells an absent option from a false one, and takes the first value', () => {
    const q = new URLSearchParams('watch=True&sendInitialEvents=false&force=0&force=1&empty=');
    assert.equal(queryOption(q, 'watch'), true);
    assert.equal(queryOption(q, 'sendInitialEvents'), false);
    assert.equal(queryOption(q, 'missing'), undefined);
    assert.equal(queryFlag(q, 'missing'), false);
    assert.equal(queryFlag(q, 'force'), false);
    assert.equal(queryFlag(q, 'empty'), true);
  });
});
