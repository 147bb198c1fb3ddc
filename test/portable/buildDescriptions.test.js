'use strict';
// The build descriptions an MSVC build uses (binding.gyp for node-gyp, CMakeLists.txt
// for cmake-js) keep working C++ exceptions: the check the build runs passes on the
// real files and catches each way of losing them.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const read = (file) => fs.readFileSync(path.join(ROOT, file), 'utf8');

describe('MSVC build descriptions keep C++ exceptions', () => {
  let missingMsvcExceptionSettings;
  before(async () => {
    ({ missingMsvcExceptionSettings } = await import('../../scripts/build.mjs'));
  });

  it('binding.gyp and CMakeLists.txt as committed pass', () => {
    assert.deepEqual(missingMsvcExceptionSettings('binding.gyp', read('binding.gyp')), []);
    assert.deepEqual(missingMsvcExceptionSettings('CMakeLists.txt', read('CMakeLists.txt')), []);
  });

  it('binding.gyp without _HAS_EXCEPTIONS=1, without /EHsc, or with a second /std: fails', () => {
    const gyp = read('binding.gyp');
    assert.deepEqual(missingMsvcExceptionSettings('binding.gyp', gyp.replace(', "_HAS_EXCEPTIONS=1"', '')), ['_HAS_EXCEPTIONS=1']);
    assert.deepEqual(missingMsvcExceptionSettings('binding.gyp', gyp.replace('"ExceptionHandling": 1', '"ExceptionHandling": 0')), ['ExceptionHandling 1 (/EHsc)']);
    assert.deepEqual(missingMsvcExceptionSettings('binding.gyp', gyp.replace('"/guard:cf", "/sdl"', '"/std:c++17", "/guard:cf", "/sdl"')),
      ['no /std: of its own (common.gypi passes one)']);
  });

  it('CMakeLists.txt without /EHsc or _HAS_EXCEPTIONS=1 fails', () => {
    const cmake = read('CMakeLists.txt');
    assert.deepEqual(missingMsvcExceptionSettings('CMakeLists.txt', cmake.replace(' /EHsc)', ')')), ['/EHsc in its MSVC compile options']);
    assert.deepEqual(missingMsvcExceptionSettings('CMakeLists.txt', cmake.replace(/_HAS_EXCEPTIONS=1/g, '')), ['_HAS_EXCEPTIONS=1']);
  });
});
