using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;

namespace Edge.Converter.Onnx
{
    /// <summary>
    /// Writes an <see cref="OnnxModel"/> as an ONNX protobuf file (ModelProto), the inverse of
    /// <see cref="OnnxReader"/>: the same onnx/onnx.proto field numbers, hand-written wire format (varints,
    /// fixed32, length-delimited sub-messages; repeated scalars packed). Tensor data goes to raw_data.
    /// </summary>
    public static class OnnxWriter
    {
        public static byte[] Write(OnnxModel m)
        {
            var w = new Pb();
            w.Varint(1, m.IrVersion);
            if (m.ProducerName != "") w.String(2, m.ProducerName);
            if (m.ProducerVersion != "") w.String(3, m.ProducerVersion);
            w.Message(7, Graph(m.Graph));
            foreach (var kv in m.Opsets)
            {
                var o = new Pb();
                if (kv.Key != "") o.String(1, kv.Key);
                o.Varint(2, kv.Value);
                w.Message(8, o);
            }
            return w.ToArray();
        }

        public static void WriteFile(OnnxModel m, string path) => File.WriteAllBytes(path, Write(m));

        private static Pb Graph(OnnxGraph g)
        {
            var w = new Pb();
            foreach (var n in g.Nodes) w.Message(1, Node(n));
            if (g.Name != "") w.String(2, g.Name);
            foreach (var t in g.Initializers) w.Message(5, Tensor(t));
            foreach (var v in g.Inputs) w.Message(11, ValueInfo(v));
            foreach (var v in g.Outputs) w.Message(12, ValueInfo(v));
            foreach (var v in g.ValueInfo) w.Message(13, ValueInfo(v));
            return w;
        }

        private static Pb Node(OnnxNode n)
        {
            var w = new Pb();
            foreach (var s in n.Inputs) w.String(1, s);
            foreach (var s in n.Outputs) w.String(2, s);
            if (n.Name != "") w.String(3, n.Name);
            w.String(4, n.OpType);
            foreach (var a in n.Attributes.Values) w.Message(5, Attribute(a));
            if (n.Domain != "") w.String(7, n.Domain);
            return w;
        }

        private static Pb Attribute(OnnxAttribute a)
        {
            var w = new Pb();
            w.String(1, a.Name);
            var type = a.Type != OnnxAttributeType.Undefined ? a.Type
                : a.T != null ? OnnxAttributeType.Tensor : a.Ints.Length > 0 ? OnnxAttributeType.Ints : a.Floats.Length > 0 ? OnnxAttributeType.Floats
                : a.Strings.Count > 0 ? OnnxAttributeType.Strings : a.S != "" ? OnnxAttributeType.String : a.F != 0 ? OnnxAttributeType.Float : OnnxAttributeType.Int;
            switch (type)
            {
                case OnnxAttributeType.Float: w.Fixed32(2, a.F); break;
                case OnnxAttributeType.Int: w.Varint(3, a.I); break;
                case OnnxAttributeType.String: w.String(4, a.S); break;
                case OnnxAttributeType.Tensor: w.Message(5, Tensor(a.T)); break;
                case OnnxAttributeType.Floats: w.PackedFloats(7, a.Floats); break;
                case OnnxAttributeType.Ints: w.PackedVarints(8, a.Ints); break;
                case OnnxAttributeType.Strings: foreach (var s in a.Strings) w.String(9, s); break;
                default: throw new OnnxFormatException($"attribute '{a.Name}': type {a.Type} cannot be written");
            }
            w.Varint(20, (long)type);
            return w;
        }

        private static Pb Tensor(OnnxTensor t)
        {
            var w = new Pb();
            w.PackedVarints(1, t.Dims);
            w.Varint(2, (long)t.DataType);
            if (t.Name != "") w.String(8, t.Name);
            w.Bytes(9, t.Data);
            return w;
        }

        private static Pb ValueInfo(OnnxValueInfo v)
        {
            var w = new Pb();
            w.String(1, v.Name);
            var tt = new Pb();
            tt.Varint(1, (long)v.ElementType);
            if (v.Shape != null)
            {
                var shape = new Pb();
                for (int i = 0; i < v.Shape.Length; i++)
                {
                    var d = new Pb();
                    if (v.Shape[i] >= 0) d.Varint(1, v.Shape[i]);
                    else if (v.DimParams?[i] != null) d.String(2, v.DimParams[i]);
                    shape.Message(1, d);
                }
                tt.Message(2, shape);
            }
            var type = new Pb();
            type.Message(1, tt);
            w.Message(2, type);
            return w;
        }

        /// <summary>A protobuf message under construction.</summary>
        private sealed class Pb
        {
            private readonly MemoryStream _s = new();

            public byte[] ToArray() => _s.ToArray();

            private void Raw(ulong v)
            {
                while (v >= 0x80) { _s.WriteByte((byte)(v | 0x80)); v >>= 7; }
                _s.WriteByte((byte)v);
            }

            private void Key(int field, int wireType) => Raw((ulong)(field << 3 | wireType));

            public void Varint(int field, long v) { Key(field, 0); Raw((ulong)v); }

            public void Fixed32(int field, float v)
            {
                Key(field, 5);
                Span<byte> b = stackalloc byte[4];
                BinaryPrimitives.WriteSingleLittleEndian(b, v);
                _s.Write(b);
            }

            public void Bytes(int field, ReadOnlySpan<byte> b) { Key(field, 2); Raw((ulong)b.Length); _s.Write(b); }
            public void String(int field, string s) => Bytes(field, Encoding.UTF8.GetBytes(s));
            public void Message(int field, Pb m) => Bytes(field, m.ToArray());

            public void PackedVarints(int field, long[] v)
            {
                if (v.Length == 0) return;
                var inner = new Pb();
                foreach (var x in v) inner.Raw((ulong)x);
                Bytes(field, inner.ToArray());
            }

            public void PackedFloats(int field, float[] v)
            {
                if (v.Length == 0) return;
                var b = new byte[4 * v.Length];
                for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(4 * i), v[i]);
                Bytes(field, b);
            }
        }
    }
}
