using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Edge.Converter.Onnx
{
    /// <summary>
    /// Reads ONNX protobuf files (ModelProto; TensorProto for test data) with a small hand-written protobuf
    /// wire-format decoder: varints, fixed32/64, length-delimited fields, packed and unpacked repeated scalars.
    /// Field numbers are ONNX's (onnx/onnx.proto, stable since IR version 3). Unknown fields are skipped as
    /// protobuf requires; every length is checked against the buffer, so a malformed file raises
    /// <see cref="OnnxFormatException"/> naming the message and field, never an index or overflow exception.
    /// </summary>
    public static class OnnxReader
    {
        private const int MaxDepth = 64;

        public static OnnxModel ReadFile(string path)
        {
            byte[] b;
            try { b = File.ReadAllBytes(path); }
            catch (IOException e) { throw new OnnxFormatException($"{path}: cannot read: {e.Message}"); }
            return ReadModel(b);
        }

        public static OnnxModel ReadModel(byte[] data)
        {
            var m = new OnnxModel();
            var r = new Wire(data, 0, data.Length, "ModelProto");
            bool sawGraph = false;
            while (r.Next(out int field, out int wt))
            {
                switch (field)
                {
                    case 1: m.IrVersion = r.Int64(wt, "ir_version"); break;
                    case 2: m.ProducerName = r.String(wt, "producer_name"); break;
                    case 3: m.ProducerVersion = r.String(wt, "producer_version"); break;
                    case 7: m.Graph = ReadGraph(r.Sub(wt, "graph"), 1); sawGraph = true; break;
                    case 8:
                        {
                            var s = r.Sub(wt, "opset_import");
                            string domain = ""; long version = 0;
                            while (s.Next(out int f2, out int w2))
                            {
                                if (f2 == 1) domain = s.String(w2, "domain");
                                else if (f2 == 2) version = s.Int64(w2, "version");
                                else s.Skip(w2);
                            }
                            m.Opsets[domain] = version;
                            break;
                        }
                    default: r.Skip(wt); break;
                }
            }
            if (!sawGraph) throw new OnnxFormatException("ModelProto has no graph (is this an ONNX model file?)");
            return m;
        }

        /// <summary>A serialized TensorProto (the .pb files of ONNX's node tests).</summary>
        public static OnnxTensor ReadTensor(byte[] data) => ReadTensor(new Wire(data, 0, data.Length, "TensorProto"));

        private static OnnxGraph ReadGraph(Wire r, int depth)
        {
            if (depth > MaxDepth) throw new OnnxFormatException("graphs nested too deeply");
            var g = new OnnxGraph();
            while (r.Next(out int field, out int wt))
            {
                switch (field)
                {
                    case 1: g.Nodes.Add(ReadNode(r.Sub(wt, "node"), depth)); break;
                    case 2: g.Name = r.String(wt, "name"); break;
                    case 5: g.Initializers.Add(ReadTensor(r.Sub(wt, "initializer"))); break;
                    case 11: g.Inputs.Add(ReadValueInfo(r.Sub(wt, "input"))); break;
                    case 12: g.Outputs.Add(ReadValueInfo(r.Sub(wt, "output"))); break;
                    case 13: g.ValueInfo.Add(ReadValueInfo(r.Sub(wt, "value_info"))); break;
                    case 15: throw new OnnxFormatException("sparse initializers are not supported");
                    default: r.Skip(wt); break;
                }
            }
            return g;
        }

        private static OnnxNode ReadNode(Wire r, int depth)
        {
            var n = new OnnxNode();
            while (r.Next(out int field, out int wt))
            {
                switch (field)
                {
                    case 1: n.Inputs.Add(r.String(wt, "input")); break;
                    case 2: n.Outputs.Add(r.String(wt, "output")); break;
                    case 3: n.Name = r.String(wt, "name"); break;
                    case 4: n.OpType = r.String(wt, "op_type"); break;
                    case 7: n.Domain = r.String(wt, "domain"); break;
                    case 5:
                        {
                            var a = ReadAttribute(r.Sub(wt, "attribute"), depth);
                            n.Attributes[a.Name] = a;
                            break;
                        }
                    default: r.Skip(wt); break;
                }
            }
            return n;
        }

        private static OnnxAttribute ReadAttribute(Wire r, int depth)
        {
            var a = new OnnxAttribute();
            var floats = new List<float>();
            var ints = new List<long>();
            while (r.Next(out int field, out int wt))
            {
                switch (field)
                {
                    case 1: a.Name = r.String(wt, "name"); break;
                    case 20: a.Type = (OnnxAttributeType)r.Int64(wt, "type"); break;
                    case 2: a.F = r.Float(wt, "f"); break;
                    case 3: a.I = r.Int64(wt, "i"); break;
                    case 4: a.S = r.String(wt, "s"); break;
                    case 5: a.T = ReadTensor(r.Sub(wt, "t")); break;
                    case 6: r.Skip(wt); break;   // subgraphs (If/Loop bodies) are rejected by the importer by op type
                    case 7: r.Floats(wt, "floats", floats); break;
                    case 8: r.Int64s(wt, "ints", ints); break;
                    case 9: a.Strings.Add(r.String(wt, "strings")); break;
                    default: r.Skip(wt); break;
                }
            }
            a.Floats = floats.ToArray();
            a.Ints = ints.ToArray();
            return a;
        }

        private static OnnxTensor ReadTensor(Wire r)
        {
            var t = new OnnxTensor();
            var dims = new List<long>();
            byte[] raw = null;
            var floats = new List<float>();
            var int32s = new List<long>();
            var int64s = new List<long>();
            var doubles = new List<double>();
            var uint64s = new List<long>();
            while (r.Next(out int field, out int wt))
            {
                switch (field)
                {
                    case 1: r.Int64s(wt, "dims", dims); break;
                    case 2: t.DataType = (OnnxDataType)r.Int64(wt, "data_type"); break;
                    case 4: r.Floats(wt, "float_data", floats); break;
                    case 5: r.Int64s(wt, "int32_data", int32s); break;
                    case 7: r.Int64s(wt, "int64_data", int64s); break;
                    case 8: t.Name = r.String(wt, "name"); break;
                    case 9: raw = r.Bytes(wt, "raw_data"); break;
                    case 10: r.Doubles(wt, "double_data", doubles); break;
                    case 11: r.Int64s(wt, "uint64_data", uint64s); break;
                    case 14: t.IsExternal = r.Int64(wt, "data_location") == 1; break;
                    default: r.Skip(wt); break;
                }
            }
            t.Dims = dims.ToArray();
            foreach (var d in t.Dims) if (d < 0) throw new OnnxFormatException($"tensor '{t.Name}' has a negative dimension");
            if (t.IsExternal) throw new OnnxFormatException($"tensor '{t.Name}' stores its data in an external file, which is not supported");
            int size = OnnxTensor.ElementSize(t.DataType);
            long count;
            try { count = checked(t.ElementCount); }
            catch (OverflowException) { throw new OnnxFormatException($"tensor '{t.Name}' is too large"); }
            if (raw != null)
            {
                if (size == 0) throw new OnnxFormatException($"tensor '{t.Name}': data type {t.DataType} is not supported");
                if (raw.Length != count * size)
                    throw new OnnxFormatException($"tensor '{t.Name}': raw_data holds {raw.Length} bytes, dims [{string.Join(",", t.Dims)}] of {t.DataType} need {count * size}");
                t.Data = raw;
                return t;
            }
            // Typed fields: int32_data also carries int8/uint8/int16/uint16/bool/float16 values (one per entry).
            t.Data = t.DataType switch
            {
                OnnxDataType.Float => Pack(floats.Count, count, t, 4, (b, i) => BinaryPrimitives.WriteSingleLittleEndian(b, floats[i])),
                OnnxDataType.Double => Pack(doubles.Count, count, t, 8, (b, i) => BinaryPrimitives.WriteDoubleLittleEndian(b, doubles[i])),
                OnnxDataType.Int64 => Pack(int64s.Count, count, t, 8, (b, i) => BinaryPrimitives.WriteInt64LittleEndian(b, int64s[i])),
                OnnxDataType.UInt64 or OnnxDataType.UInt32 => Pack(uint64s.Count, count, t, size, (b, i) =>
                    { if (size == 8) BinaryPrimitives.WriteInt64LittleEndian(b, uint64s[i]); else BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)uint64s[i]); }),
                OnnxDataType.Int32 => Pack(int32s.Count, count, t, 4, (b, i) => BinaryPrimitives.WriteInt32LittleEndian(b, (int)int32s[i])),
                OnnxDataType.Int8 or OnnxDataType.UInt8 or OnnxDataType.Bool => Pack(int32s.Count, count, t, 1, (b, i) => b[0] = (byte)int32s[i]),
                OnnxDataType.Int16 or OnnxDataType.UInt16 or OnnxDataType.Float16 or OnnxDataType.BFloat16 =>
                    Pack(int32s.Count, count, t, 2, (b, i) => BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)int32s[i])),
                OnnxDataType.String => Array.Empty<byte>(),
                _ => throw new OnnxFormatException($"tensor '{t.Name}': data type {t.DataType} is not supported"),
            };
            return t;
        }

        private delegate void PutElement(Span<byte> dst, int index);

        private static byte[] Pack(int have, long count, OnnxTensor t, int size, PutElement put)
        {
            if (have != count)
                throw new OnnxFormatException($"tensor '{t.Name}': {have} values for dims [{string.Join(",", t.Dims)}] ({count} elements)");
            var data = new byte[count * size];
            for (int i = 0; i < have; i++) put(data.AsSpan(i * size, size), i);
            return data;
        }

        private static OnnxValueInfo ReadValueInfo(Wire r)
        {
            var v = new OnnxValueInfo();
            while (r.Next(out int field, out int wt))
            {
                if (field == 1) v.Name = r.String(wt, "name");
                else if (field == 2)
                {
                    var type = r.Sub(wt, "type");
                    while (type.Next(out int f2, out int w2))
                    {
                        if (f2 != 1) { type.Skip(w2); continue; }   // only tensor_type
                        var tt = type.Sub(w2, "tensor_type");
                        while (tt.Next(out int f3, out int w3))
                        {
                            if (f3 == 1) v.ElementType = (OnnxDataType)tt.Int64(w3, "elem_type");
                            else if (f3 == 2)
                            {
                                var shape = tt.Sub(w3, "shape");
                                var dims = new List<long>();
                                var pars = new List<string>();
                                while (shape.Next(out int f4, out int w4))
                                {
                                    if (f4 != 1) { shape.Skip(w4); continue; }
                                    var dim = shape.Sub(w4, "dim");
                                    long value = -1; string param = null;
                                    while (dim.Next(out int f5, out int w5))
                                    {
                                        if (f5 == 1) value = dim.Int64(w5, "dim_value");
                                        else if (f5 == 2) param = dim.String(w5, "dim_param");
                                        else dim.Skip(w5);
                                    }
                                    dims.Add(value);
                                    pars.Add(param);
                                }
                                v.Shape = dims.ToArray();
                                v.DimParams = pars.ToArray();
                            }
                            else tt.Skip(w3);
                        }
                    }
                }
                else r.Skip(wt);
            }
            return v;
        }

        /// <summary>A bounds-checked cursor over one protobuf message.</summary>
        private struct Wire
        {
            private readonly byte[] _b;
            private int _pos;
            private readonly int _end;
            private readonly string _msg;

            public Wire(byte[] b, int start, int end, string message) { _b = b; _pos = start; _end = end; _msg = message; }

            private OnnxFormatException Fail(string field, string what) =>
                new($"{_msg}.{field} at byte {_pos}: {what}");

            public bool Next(out int field, out int wireType)
            {
                field = 0; wireType = 0;
                if (_pos >= _end) return false;
                ulong key = Varint("key");
                field = (int)(key >> 3);
                wireType = (int)(key & 7);
                if (field <= 0 || key >> 3 > int.MaxValue) throw Fail("key", "invalid field number");
                return true;
            }

            private ulong Varint(string field)
            {
                ulong v = 0;
                for (int shift = 0; shift < 64; shift += 7)
                {
                    if (_pos >= _end) throw Fail(field, "truncated varint");
                    byte x = _b[_pos++];
                    v |= (ulong)(x & 0x7F) << shift;
                    if ((x & 0x80) == 0) return v;
                }
                throw Fail(field, "varint longer than 10 bytes");
            }

            private int Length(string field)
            {
                ulong n = Varint(field);
                if (n > (ulong)(_end - _pos)) throw Fail(field, $"length {n} runs past the end of the message");
                return (int)n;
            }

            public long Int64(int wireType, string field)
            {
                if (wireType != 0) throw Fail(field, $"expected a varint, found wire type {wireType}");
                return (long)Varint(field);
            }

            public float Float(int wireType, string field)
            {
                if (wireType != 5) throw Fail(field, $"expected fixed32, found wire type {wireType}");
                if (_end - _pos < 4) throw Fail(field, "truncated float");
                float f = BinaryPrimitives.ReadSingleLittleEndian(_b.AsSpan(_pos, 4));
                _pos += 4;
                return f;
            }

            public string String(int wireType, string field)
            {
                if (wireType != 2) throw Fail(field, $"expected a length-delimited string, found wire type {wireType}");
                int n = Length(field);
                string s = Encoding.UTF8.GetString(_b, _pos, n);
                _pos += n;
                return s;
            }

            public byte[] Bytes(int wireType, string field)
            {
                if (wireType != 2) throw Fail(field, $"expected bytes, found wire type {wireType}");
                int n = Length(field);
                var r = _b.AsSpan(_pos, n).ToArray();
                _pos += n;
                return r;
            }

            public Wire Sub(int wireType, string field)
            {
                if (wireType != 2) throw Fail(field, $"expected an embedded message, found wire type {wireType}");
                int n = Length(field);
                var w = new Wire(_b, _pos, _pos + n, _msg + "." + field);
                _pos += n;
                return w;
            }

            /// <summary>Repeated varints, packed (wire type 2) or one at a time (wire type 0).</summary>
            public void Int64s(int wireType, string field, List<long> into)
            {
                if (wireType == 0) { into.Add((long)Varint(field)); return; }
                if (wireType != 2) throw Fail(field, $"expected varints, found wire type {wireType}");
                int n = Length(field);
                int end = _pos + n;
                var inner = new Wire(_b, _pos, end, _msg + "." + field);
                while (inner._pos < end) into.Add((long)inner.Varint(field));
                _pos = end;
            }

            public void Floats(int wireType, string field, List<float> into)
            {
                if (wireType == 5) { into.Add(Float(5, field)); return; }
                if (wireType != 2) throw Fail(field, $"expected floats, found wire type {wireType}");
                int n = Length(field);
                if (n % 4 != 0) throw Fail(field, "packed floats are not a multiple of 4 bytes");
                for (int i = 0; i < n; i += 4) into.Add(BinaryPrimitives.ReadSingleLittleEndian(_b.AsSpan(_pos + i, 4)));
                _pos += n;
            }

            public void Doubles(int wireType, string field, List<double> into)
            {
                if (wireType == 1)
                {
                    if (_end - _pos < 8) throw Fail(field, "truncated double");
                    into.Add(BinaryPrimitives.ReadDoubleLittleEndian(_b.AsSpan(_pos, 8)));
                    _pos += 8;
                    return;
                }
                if (wireType != 2) throw Fail(field, $"expected doubles, found wire type {wireType}");
                int n = Length(field);
                if (n % 8 != 0) throw Fail(field, "packed doubles are not a multiple of 8 bytes");
                for (int i = 0; i < n; i += 8) into.Add(BinaryPrimitives.ReadDoubleLittleEndian(_b.AsSpan(_pos + i, 8)));
                _pos += n;
            }

            public void Skip(int wireType)
            {
                switch (wireType)
                {
                    case 0: Varint("unknown"); break;
                    case 1: if (_end - _pos < 8) throw Fail("unknown", "truncated fixed64"); _pos += 8; break;
                    case 2: { int n = Length("unknown"); _pos += n; break; }   // not "_pos += Length()": that reads _pos before the varint
                    case 5: if (_end - _pos < 4) throw Fail("unknown", "truncated fixed32"); _pos += 4; break;
                    default: throw Fail("unknown", $"unsupported wire type {wireType}");
                }
            }
        }
    }
}
