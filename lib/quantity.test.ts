import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalQuantity, compareQuantities, isInteger, parseQuantity, QuantityError, quantityFormatError } from './quantity.js';

test('canonical forms match what Kubernetes stores', () => {
  const cases: Array<[string | number, string]> = [
    ['1Gi', '1Gi'], ['1.5Gi', '1536Mi'], ['2048Ki', '2Mi'], ['1000Mi', '1000Mi'], ['100Mi', '100Mi'],
    ['0.5', '500m'], ['500m', '500m'], ['1000', '1k'], ['1500', '1500'], ['1.5k', '1500'], ['2000m', '2'],
    ['0', '0'], ['0Gi', '0'], ['10', '10'], ['1e3', '1e3'], ['100M', '100M'], ['512', '512'], ['1023Ki', '1023Ki'],
    ['0.1Ki', '102400m'], ['100Ki', '100Ki'], [5, '5'], [0.25, '250m'], ['-1', '-1'], ['1n', '1n'], ['0.0000000001', '1n'],
    ['12e6', '12e6'], ['1.5', '1500m'], ['10G', '10G'],
  ];
  for (const [input, want] of cases) assert.equal(canonicalQuantity(input), want, `${input}`);
});

test('malformed quantities are refused with the decoder message', () => {
  for (const bad of ['abc', '1 Gi', '', 'Gi', '1Gb']) {
    assert.throws(() => parseQuantity(bad), QuantityError, bad);
  }
  assert.throws(() => parseQuantity('x'), { message: quantityFormatError });
});

test('comparison is exact across formats', () => {
  assert.equal(compareQuantities(parseQuantity('1Gi'), parseQuantity('1024Mi')), 0);
  assert.equal(compareQuantities(parseQuantity('1G'), parseQuantity('1Gi')), -1);
  assert.equal(compareQuantities(parseQuantity('500m'), parseQuantity('0.4')), 1);
  assert.ok(isInteger(parseQuantity('2000m')));
  assert.ok(!isInteger(parseQuantity('1500m')));
});

test('resource lists round up to milli precision', async () => {
  const { roundUpQuantity, formatQuantity, addQuantities, quantityMilliValue } = await import('./quantity.js');
  const milli = (s: string) => formatQuantity(roundUpQuantity(parseQuantity(s), -3));
  assert.equal(milli('0.0001'), '1m');
  assert.equal(milli('100m'), '100m');
  assert.equal(milli('1.0005'), '1001m');
  assert.equal(milli('1Gi'), '1Gi');
  assert.equal(milli('1.5Gi'), '1536Mi');
  assert.equal(formatQuantity(addQuantities(parseQuantity('500m'), parseQuantity('1'))), '1500m');
  assert.equal(quantityMilliValue(parseQuantity('2')), 2000n);
  assert.equal(quantityMilliValue(parseQuantity('0.0001')), 1n);
  assert.equal(quantityMilliValue(parseQuantity('1k')), 1000000n);
});
