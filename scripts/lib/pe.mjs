// Reads which CPU a Windows DLL (an addon's .node file) was built for, from its PE
// header, on any OS. The release gate uses it to prove each prebuild folder holds
// the architecture its name promises: node-gyp-build trusts the folder name, so an
// x64 file in win32-ia32/ would only fail on a user's machine.
import fs from 'node:fs';

// IMAGE_FILE_HEADER.Machine values, named as Node's process.arch names them.
const MACHINES = { 0x8664: 'x64', 0x014c: 'ia32', 0xaa64: 'arm64' };
const IMAGE_FILE_DLL = 0x2000;

/** { arch, dll } of a PE file; throws when the file is not a PE image. */
export function peInfo(file) {
  const header = Buffer.alloc(4096);
  const fd = fs.openSync(file, 'r');
  let length;
  try {
    length = fs.readSync(fd, header, 0, header.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (length < 0x40 || header.toString('latin1', 0, 2) !== 'MZ') throw new Error(`${file}: not a PE file (no MZ header)`);
  const peOffset = header.readUInt32LE(0x3c);
  if (peOffset + 24 > length || header.toString('latin1', peOffset, peOffset + 4) !== 'PE\0\0') {
    throw new Error(`${file}: not a PE file (no PE signature)`);
  }
  const machine = header.readUInt16LE(peOffset + 4);
  const characteristics = header.readUInt16LE(peOffset + 22);
  return {
    arch: MACHINES[machine] ?? `unknown machine 0x${machine.toString(16)}`,
    dll: (characteristics & IMAGE_FILE_DLL) !== 0,
  };
}
