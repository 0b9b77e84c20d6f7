// Minimal NumPy .npy (format 1.0/2.0) reading and writing for little-endian float32, uint8, int8, int32 and int64
// arrays in C order — what the demo data and the ONNX test data need.
import { readFileSync, writeFileSync } from 'node:fs';

const DTYPES = {
  '<f4': { ctor: Float32Array, ort: 'float32' },
  '|u1': { ctor: Uint8Array, ort: 'uint8' },
  '|i1': { ctor: Int8Array, ort: 'int8' },
  '<i4': { ctor: Int32Array, ort: 'int32' },
  '<i8': { ctor: BigInt64Array, ort: 'int64' },
};

export function readNpy(path) {
  const buf = readFileSync(path);
  if (buf.readUInt32BE(0) !== 0x934e554d || buf.toString('latin1', 4, 6) !== 'PY') throw new Error(`${path}: not a .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !DTYPES[descr]) throw new Error(`${path}: unsupported dtype ${descr}`);
  if (fortran !== 'False') throw new Error(`${path}: Fortran order is not supported`);
  const shape = shapeText.split(',').map(s => s.trim()).filter(s => s.length).map(Number);
  const { ctor, ort } = DTYPES[descr];
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;
  const bytes = buf.subarray(offset, offset + count * ctor.BYTES_PER_ELEMENT);
  if (bytes.length !== count * ctor.BYTES_PER_ELEMENT) throw new Error(`${path}: truncated`);
  const data = new ctor(count);
  new Uint8Array(data.buffer).set(bytes);
  return { dtype: descr, ortType: ort, shape, data };
}

export function writeNpy(path, typed, shape) {
  const descr = Object.keys(DTYPES).find(k => typed instanceof DTYPES[k].ctor);
  if (!descr) throw new Error('unsupported array type');
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const head = Buffer.alloc(10);
  head.writeUInt32BE(0x934e554d, 0);
  head.write('PY', 4, 'latin1');
  head[6] = 1; head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  writeFileSync(path, Buffer.concat([head, Buffer.from(header, 'latin1'),
    Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength)]));
}
