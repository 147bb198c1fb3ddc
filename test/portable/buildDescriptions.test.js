'use strict';
// The build descriptions: binding.gyp (node-gyp), CMakeLists.txt (cmake-js) and the
// mingw build take their sources and definitions from one list, addon_build.gypi,
// which names exactly native/addon/*.cc; an MSVC build keeps working C++ exceptions.
// The check the build runs passes on the real files and catches each way of breaking.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const read = (file) => fs.readFileSync(path.join(ROOT, file), 'utf8');

describe('one build list (addon_build.gypi) for node-gyp, cmake-js and mingw', () => {
  let addonBuild;
  let checkBuildDescriptions;
  before(async () => {
    ({ addonBuild, checkBuildDescriptions } = await import('../../scripts/build.mjs'));
  });

  it('names exactly the native/addon/*.cc on disk, and every build description takes it', () => {
    const onDisk = fs.readdirSync(path.join(ROOT, 'native', 'addon')).filter((f) => f.endsWith('.cc')).map((f) => `native/addon/${f}`).sort();
    assert.deepEqual([...addonBuild().sources].sort(), onDisk);
    assert.ok(addonBuild().defines.includes('NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS'));
    checkBuildDescriptions();
    assert.match(read('binding.gyp'), /"sources": \["<@\(addon_sources\)"\]/);
    assert.match(read('CMakeLists.txt'), /addon_build_list\(addon_sources ADDON_SOURCES\)/);
    assert.doesNotMatch(read('CMakeLists.txt'), /native\/addon\/\w+\.cc/, 'no source list of its own');
  });
});

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
