using System;
using System.Collections.Generic;
using System.Text;

namespace Edge.Converter.Tflite
{
    /// <summary>
    /// A reader for FlexBuffers (the schema-less encoding TFLite custom ops use for custom_options; format
    /// described at https://flatbuffers.dev/flexbuffers/ and in flatbuffers' flexbuffers.h): scalars (int, uint,
    /// float, bool, null), indirect scalars, strings, keys, blobs, untyped vectors, maps and typed vectors.
    /// Every read is bounds-checked; a malformed buffer raises <see cref="TfliteFormatException"/>.
    ///
    /// Layout recap: the buffer ends with [root value (parent width bytes)][root packed type][root byte width].
    /// A packed type is (type &lt;&lt; 2) | bit width (0 = 8 … 3 = 64 bits). Offset-typed values store an unsigned
    /// distance back to their target. A vector's length precedes its elements; an untyped vector or map is followed
    /// by one packed type byte per element; a map is a vector of values preceded by [keys offset][keys width][length].
    /// </summary>
    public static class FlexBuffers
    {
        public enum Type
        {
            Null = 0, Int = 1, UInt = 2, Float = 3, Key = 4, String = 5, IndirectInt = 6, IndirectUInt = 7,
            IndirectFloat = 8, Map = 9, Vector = 10, VectorInt = 11, VectorUInt = 12, VectorFloat = 13, VectorKey = 14,
            VectorStringDeprecated = 15, VectorInt2 = 16, VectorUInt2 = 17, VectorFloat2 = 18, VectorInt3 = 19,
            VectorUInt3 = 20, VectorFloat3 = 21, VectorInt4 = 22, VectorUInt4 = 23, VectorFloat4 = 24, Blob = 25,
            Bool = 26, VectorBool = 36,
        }

        /// <summary>The root value of a FlexBuffer.</summary>
        public static Reference GetRoot(byte[] buffer)
        {
            if (buffer == null || buffer.Length < 3) throw new TfliteFormatException("FlexBuffer: too short for a root (needs at least 3 bytes)");
            int byteWidth = buffer[^1];
            int packed = buffer[^2];
            if (byteWidth is not (1 or 2 or 4 or 8)) throw new TfliteFormatException($"FlexBuffer: root byte width {byteWidth} is not 1, 2, 4 or 8");
            int pos = buffer.Length - 2 - byteWidth;
            if (pos < 0) throw new TfliteFormatException("FlexBuffer: root value lies before the buffer start");
            return new Reference(buffer, pos, byteWidth, packed);
        }

        /// <summary>One value: where it is, the width it is stored with (its parent's) and its packed type.</summary>
        public readonly struct Reference
        {
            private readonly byte[] _b;
            private readonly int _pos, _parentWidth, _byteWidth;
            public Type ValueType { get; }

            internal Reference(byte[] b, int pos, int parentWidth, int packedType)
            {
                _b = b; _pos = pos; _parentWidth = parentWidth;
                _byteWidth = 1 << (packedType & 3);
                ValueType = (Type)(packedType >> 2);
            }

            private Reference(byte[] b, int pos, int parentWidth, int byteWidth, Type type)
            {
                _b = b; _pos = pos; _parentWidth = parentWidth; _byteWidth = byteWidth; ValueType = type;
            }

            public bool IsNull => ValueType == Type.Null;
            public bool IsMap => ValueType == Type.Map;
            public bool IsVector => ValueType is Type.Vector or Type.Map || IsTypedVector(ValueType) || IsFixedTypedVector(ValueType);

            private static bool IsTypedVector(Type t) => t is >= Type.VectorInt and <= Type.VectorStringDeprecated or Type.VectorBool;
            private static bool IsFixedTypedVector(Type t) => t is >= Type.VectorInt2 and <= Type.VectorFloat4;

            private static long ReadInt(byte[] b, int pos, int width)
            {
                Check(b, pos, width);
                return width switch
                {
                    1 => (sbyte)b[pos],
                    2 => BitConverter.ToInt16(b, pos),
                    4 => BitConverter.ToInt32(b, pos),
                    _ => BitConverter.ToInt64(b, pos),
                };
            }

            private static ulong ReadUInt(byte[] b, int pos, int width)
            {
                Check(b, pos, width);
                return width switch
                {
                    1 => b[pos],
                    2 => BitConverter.ToUInt16(b, pos),
                    4 => BitConverter.ToUInt32(b, pos),
                    _ => BitConverter.ToUInt64(b, pos),
                };
            }

            private static double ReadFloat(byte[] b, int pos, int width)
            {
                Check(b, pos, width);
                return width switch
                {
                    4 => BitConverter.ToSingle(b, pos),
                    8 => BitConverter.ToDouble(b, pos),
                    _ => throw new TfliteFormatException($"FlexBuffer: float of {width} bytes at {pos}"),
                };
            }

            private static void Check(byte[] b, int pos, int width)
            {
                if (pos < 0 || width <= 0 || (long)pos + width > b.Length)
                    throw new TfliteFormatException($"FlexBuffer: {width}-byte read at offset {pos} lies outside the {b.Length}-byte buffer");
            }

            /// <summary>Target of an offset-typed value stored at <paramref name="pos"/> with <paramref name="width"/>.</summary>
            private static int Indirect(byte[] b, int pos, int width)
            {
                ulong off = ReadUInt(b, pos, width);
                long target = pos - (long)off;
                if (target < 0 || target >= b.Length) throw new TfliteFormatException($"FlexBuffer: offset {off} at {pos} points outside the buffer");
                return (int)target;
            }

            public long AsInt64()
            {
                switch (ValueType)
                {
                    case Type.Int: return ReadInt(_b, _pos, _parentWidth);
                    case Type.UInt: return unchecked((long)ReadUInt(_b, _pos, _parentWidth));
                    case Type.Bool: return (long)ReadUInt(_b, _pos, _parentWidth);
                    case Type.IndirectInt: return ReadInt(_b, Indirect(_b, _pos, _parentWidth), _byteWidth);
                    case Type.IndirectUInt: return unchecked((long)ReadUInt(_b, Indirect(_b, _pos, _parentWidth), _byteWidth));
                    case Type.Float: return (long)ReadFloat(_b, _pos, _parentWidth);
                    case Type.IndirectFloat: return (long)ReadFloat(_b, Indirect(_b, _pos, _parentWidth), _byteWidth);
                    case Type.Null: return 0;
                    default: throw new TfliteFormatException($"FlexBuffer: a {ValueType} is not a number");
                }
            }

            /// <summary>The value as int32; a value outside int32 is an error (TFLM would truncate it silently).</summary>
            public int AsInt32()
            {
                long v = AsInt64();
                if (v < int.MinValue || v > int.MaxValue) throw new TfliteFormatException($"FlexBuffer: value {v} does not fit int32");
                return (int)v;
            }

            public bool AsBool() => ValueType == Type.Bool ? ReadUInt(_b, _pos, _parentWidth) != 0 : AsInt64() != 0;

            public double AsDouble() => ValueType switch
            {
                Type.Float => ReadFloat(_b, _pos, _parentWidth),
                Type.IndirectFloat => ReadFloat(_b, Indirect(_b, _pos, _parentWidth), _byteWidth),
                _ => AsInt64(),
            };

            public string AsString()
            {
                if (ValueType == Type.Key)
                {
                    int start = Indirect(_b, _pos, _parentWidth);
                    int end = Array.IndexOf(_b, (byte)0, start);
                    if (end < 0) throw new TfliteFormatException($"FlexBuffer: key at {start} is not zero-terminated");
                    return Encoding.UTF8.GetString(_b, start, end - start);
                }
                if (ValueType is Type.String or Type.Blob)
                {
                    int data = Indirect(_b, _pos, _parentWidth);
                    int len = checked((int)ReadUInt(_b, data - _byteWidth, _byteWidth));
                    Check(_b, data, len);
                    return Encoding.UTF8.GetString(_b, data, len);
                }
                throw new TfliteFormatException($"FlexBuffer: a {ValueType} is not a string");
            }

            /// <summary>Element count of a vector or map.</summary>
            public int Length
            {
                get
                {
                    if (IsFixedTypedVector(ValueType)) return (ValueType - Type.VectorInt2) / 3 + 2;
                    if (!IsVector) throw new TfliteFormatException($"FlexBuffer: a {ValueType} has no elements");
                    int data = Indirect(_b, _pos, _parentWidth);
                    ulong n = ReadUInt(_b, data - _byteWidth, _byteWidth);
                    if (n > (ulong)_b.Length) throw new TfliteFormatException($"FlexBuffer: vector length {n} exceeds the buffer");
                    return (int)n;
                }
            }

            /// <summary>Element <paramref name="i"/> of a vector, or value <paramref name="i"/> of a map (maps are sorted by key).</summary>
            public Reference this[int i]
            {
                get
                {
                    int n = Length;
                    if (i < 0 || i >= n) throw new TfliteFormatException($"FlexBuffer: index {i} out of range ({n} elements)");
                    int data = Indirect(_b, _pos, _parentWidth);
                    int elem = checked(data + i * _byteWidth);
                    if (ValueType is Type.Vector or Type.Map)
                    {
                        int typePos = checked(data + n * _byteWidth + i);
                        Check(_b, typePos, 1);
                        Check(_b, elem, _byteWidth);
                        return new Reference(_b, elem, _byteWidth, _b[typePos]);
                    }
                    Type et = ValueType switch
                    {
                        Type.VectorInt or Type.VectorInt2 or Type.VectorInt3 or Type.VectorInt4 => Type.Int,
                        Type.VectorUInt or Type.VectorUInt2 or Type.VectorUInt3 or Type.VectorUInt4 => Type.UInt,
                        Type.VectorFloat or Type.VectorFloat2 or Type.VectorFloat3 or Type.VectorFloat4 => Type.Float,
                        Type.VectorKey => Type.Key,
                        Type.VectorStringDeprecated => Type.String,
                        Type.VectorBool => Type.Bool,
                        _ => Type.Null,
                    };
                    Check(_b, elem, _byteWidth);
                    return new Reference(_b, elem, _byteWidth, 1, et);
                }
            }

            /// <summary>The keys of a map, in stored (sorted) order.</summary>
            public string[] Keys
            {
                get
                {
                    if (!IsMap) throw new TfliteFormatException($"FlexBuffer: a {ValueType} is not a map");
                    int data = Indirect(_b, _pos, _parentWidth);
                    int keysWidth = checked((int)ReadUInt(_b, data - 2 * _byteWidth, _byteWidth));
                    if (keysWidth is not (1 or 2 or 4 or 8)) throw new TfliteFormatException($"FlexBuffer: map keys width {keysWidth}");
                    var keysVec = new Reference(_b, data - 3 * _byteWidth, _byteWidth, keysWidth, Type.VectorKey);
                    int n = Length;
                    if (keysVec.Length != n) throw new TfliteFormatException($"FlexBuffer: map has {n} values but {keysVec.Length} keys");
                    var keys = new string[n];
                    for (int i = 0; i < n; i++) keys[i] = keysVec[i].AsString();
                    return keys;
                }
            }

            /// <summary>The map's entries by key.</summary>
            public Dictionary<string, Reference> AsMap()
            {
                var keys = Keys;
                var d = new Dictionary<string, Reference>(StringComparer.Ordinal);
                for (int i = 0; i < keys.Length; i++) d[keys[i]] = this[i];
                return d;
            }

            public override string ToString()
            {
                switch (ValueType)
                {
                    case Type.Null: return "null";
                    case Type.Int: case Type.UInt: case Type.IndirectInt: case Type.IndirectUInt: return AsInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
                    case Type.Bool: return AsBool() ? "true" : "false";
                    case Type.Float: case Type.IndirectFloat: return AsDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture);
                    case Type.Key: case Type.String: return "\"" + AsString() + "\"";
                    case Type.Map:
                        {
                            var keys = Keys;
                            var parts = new List<string>();
                            for (int i = 0; i < keys.Length; i++) parts.Add(keys[i] + ": " + this[i]);
                            return "{ " + string.Join(", ", parts) + " }";
                        }
                    default:
                        if (IsVector)
                        {
                            var parts = new List<string>();
                            for (int i = 0; i < Length; i++) parts.Add(this[i].ToString());
                            return "[ " + string.Join(", ", parts) + " ]";
                        }
                        return ValueType.ToString();
                }
            }
        }
    }
}
