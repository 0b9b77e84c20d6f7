// Reads an ONNX TensorProto (.pb, as in the ONNX node tests' test_data_set_*/input_*.pb) into an ORT tensor's parts.
// Only the fields a dense tensor uses: dims (1), data_type (2), float_data (4), int32_data (5), int64_data (7),
// name (8), raw_data (9), double_data (10), uint64_data (11).
import { readFileSync } from 'node:fs';

const TYPES = {
  1: ['float32', Float32Array], 2: ['uint8', Uint8Array], 3: ['int8', Int8Array], 4: ['uint16', Uint16Array],
  5: ['int16', Int16Array], 6: ['int32', Int32Array], 7: ['int64', BigInt64Array], 9: ['bool', Uint8Array],
  11: ['float64', Float64Array], 12: ['uint32', Uint32Array], 13: ['uint64', BigUint64Array],
};

function varint(buf, pos) {
  let result = 0n, shift = 0n, b;
  do {
    if (pos.i >= buf.length) throw new Error('truncated varint');
    b = buf[pos.i++];
    result |= BigInt(b & 0x7f) << shift;
    shift += 7n;
  } while (b & 0x80);
  return result;
}

export function readTensorProto(path) {
  const buf = readFileSync(path);
  const pos = { i: 0 };
  const dims = [], ints = [], floats = [], doubles = [];
  let dataType = 0, name = '', raw = null;
  while (pos.i < buf.length) {
    const key = Number(varint(buf, pos));
    const field = key >>> 3, wire = key & 7;
    if (wire === 0) {
      const v = varint(buf, pos);
      if (field === 1) dims.push(Number(BigInt.asIntN(64, v)));
      else if (field === 2) dataType = Number(v);
      else if (field === 5 || field === 7 || field === 11) ints.push(v);
    } else if (wire === 2) {
      const len = Number(varint(buf, pos));
      const body = buf.subarray(pos.i, pos.i + len);
      pos.i += len;
      if (field === 8) name = body.toString('utf8');
      else if (field === 9) raw = body;
      else if (field === 4) for (let k = 0; k < body.length; k += 4) floats.push(body.readFloatLE(k));
      else if (field === 10) for (let k = 0; k < body.length; k += 8) doubles.push(body.readDoubleLE(k));
      else if (field === 1 || field === 5 || field === 7 || field === 11) {
        const p = { i: 0 };
        while (p.i < body.length) {
          const v = varint(body, p);
          if (field === 1) dims.push(Number(BigInt.asIntN(64, v))); else ints.push(v);
        }
      }
    } else if (wire === 5) { if (field === 4) floats.push(buf.readFloatLE(pos.i)); pos.i += 4; }
    else if (wire === 1) { if (field === 10) doubles.push(buf.readDoubleLE(pos.i)); pos.i += 8; }
    else throw new Error(`${path}: unsupported wire type ${wire}`);
  }
  const t = TYPES[dataType];
  if (!t) throw new Error(`${path}: unsupported data_type ${dataType}`);
  const [type, Ctor] = t;
  const count = dims.reduce((a, b) => a * b, 1);
  let data;
  if (raw) {
    data = new Ctor(count);
    new Uint8Array(data.buffer).set(raw.subarray(0, count * Ctor.BYTES_PER_ELEMENT));
  } else if (dataType === 1) data = Float32Array.from(floats);
  else if (dataType === 11) data = Float64Array.from(doubles);
  else if (Ctor === BigInt64Array || Ctor === BigUint64Array) data = Ctor.from(ints);
  else data = Ctor.from(ints, v => Number(BigInt.asIntN(32, v)));
  if (data.length !== count) throw new Error(`${path}: ${data.length} values for dims [${dims}]`);
  return { name, type, dims, data };
}
