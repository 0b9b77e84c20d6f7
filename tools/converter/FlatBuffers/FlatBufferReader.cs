using System;
using System.Buffers.Binary;
using System.Text;

namespace Edge.Converter.FlatBuffers
{
    /// <summary>A FlatBuffer is malformed: an offset points outside the buffer, a vtable is inconsistent, etc.</summary>
    public sealed class FlatBufferFormatException : Exception
    {
        public FlatBufferFormatException(string message) : base(message) { }
    }

    /// <summary>
    /// A small, checked FlatBuffers reader. Every access validates what it touches (in the spirit of the official
    /// Verifier, but lazily): uoffsets must be non-zero, forward and inside the buffer; tables, vtables, vectors and
    /// strings must lie inside the buffer; scalars and offsets must be naturally aligned; a field must lie inside
    /// its table's inline size; strings must be NUL-terminated. Violations throw
    /// <see cref="FlatBufferFormatException"/>, never IndexOutOfRange or similar.
    ///
    /// Fields are addressed by their index in the schema (0-based, in declaration order, deprecated fields
    /// included). A union occupies two indices: the <c>_type</c> (ubyte) field, then the value (offset) field.
    ///
    /// A work budget (bytes materialised into arrays/strings plus a fixed cost per table/element access) bounds
    /// the effort a hostile buffer can cause by making many offsets point at the same large object.
    /// </summary>
    public sealed class FlatBufferReader
    {
        private readonly byte[] _data;
        private long _budget;

        /// <param name="data">The whole buffer; position 0 holds the root uoffset.</param>
        /// <param name="workBudget">Maximum work units (≈ bytes materialised); 0 = 16 × buffer length + 1 MiB.</param>
        public FlatBufferReader(byte[] data, long workBudget = 0)
        {
            _data = data ?? throw new ArgumentNullException(nameof(data));
            _budget = workBudget > 0 ? workBudget : 16L * data.Length + (1 << 20);
        }

        public int Length => _data.Length;
        public ReadOnlySpan<byte> Data => _data;
        public byte[] Bytes => _data;

        /// <summary>The 4 bytes after the root offset as ASCII, or null when the buffer is shorter than 8 bytes.</summary>
        public string FileIdentifier => _data.Length >= 8 ? Encoding.ASCII.GetString(_data, 4, 4) : null;

        /// <summary>The root table.</summary>
        public FlatTable Root()
        {
            if (_data.Length < 8) Fail($"buffer is {_data.Length} bytes; a FlatBuffer needs at least 8");
            return TableAt(ReadUOffset(0), "root table");
        }

        // ---- primitive, checked access ----

        internal static void Fail(string message) => throw new FlatBufferFormatException(message);

        internal void Charge(long units)
        {
            _budget -= units;
            if (_budget < 0) Fail("work budget exhausted: the buffer references the same data too many times");
        }

        internal void CheckRange(long pos, long size, string what)
        {
            if (pos < 0 || size < 0 || pos > _data.Length || size > _data.Length - pos)
                Fail($"{what} at {pos} (+{size} bytes) lies outside the buffer (length {_data.Length})");
        }

        internal static void CheckAlign(long pos, int align, string what)
        {
            if ((pos & (align - 1)) != 0) Fail($"{what} at {pos} is not {align}-byte aligned");
        }

        internal byte U8(int pos) => _data[pos];
        internal ushort U16(int pos) => BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(pos, 2));
        internal int I32(int pos) => BinaryPrimitives.ReadInt32LittleEndian(_data.AsSpan(pos, 4));
        internal uint U32(int pos) => BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan(pos, 4));
        internal long I64(int pos) => BinaryPrimitives.ReadInt64LittleEndian(_data.AsSpan(pos, 8));
        internal ulong U64(int pos) => BinaryPrimitives.ReadUInt64LittleEndian(_data.AsSpan(pos, 8));
        internal float F32(int pos) => BinaryPrimitives.ReadSingleLittleEndian(_data.AsSpan(pos, 4));
        internal double F64(int pos) => BinaryPrimitives.ReadDoubleLittleEndian(_data.AsSpan(pos, 8));

        /// <summary>Follows the uoffset stored at <paramref name="pos"/>; returns the absolute target position.</summary>
        public int ReadUOffset(int pos)
        {
            CheckRange(pos, 4, "offset");
            CheckAlign(pos, 4, "offset");
            uint o = U32(pos);
            if (o == 0) Fail($"offset at {pos} is zero");
            long target = (long)pos + o;
            if (o > int.MaxValue || target >= _data.Length) Fail($"offset at {pos} points to {target}, outside the buffer (length {_data.Length})");
            return (int)target;
        }

        /// <summary>A table at absolute position <paramref name="pos"/>.</summary>
        public FlatTable TableAt(int pos, string what = "table")
        {
            Charge(16);
            CheckRange(pos, 4, what);
            CheckAlign(pos, 4, what);
            long vt = (long)pos - I32(pos);
            CheckRange(vt, 4, $"vtable of {what} at {pos}");
            CheckAlign(vt, 2, $"vtable of {what} at {pos}");
            int vtLen = U16((int)vt);
            int objLen = U16((int)vt + 2);
            if (vtLen < 4 || (vtLen & 1) != 0) Fail($"vtable of {what} at {pos} has invalid size {vtLen}");
            CheckRange(vt, vtLen, $"vtable of {what} at {pos}");
            if (objLen < 4) Fail($"{what} at {pos} has invalid inline size {objLen}");
            CheckRange(pos, objLen, what);
            return new FlatTable(this, pos, (int)vt, vtLen, objLen);
        }

        /// <summary>A vector whose length prefix is at absolute position <paramref name="pos"/>.</summary>
        public FlatVector VectorAt(int pos, int elemSize, string what = "vector")
        {
            Charge(8);
            CheckRange(pos, 4, what);
            CheckAlign(pos, 4, what);
            uint n = U32(pos);
            long bytes = (long)n * elemSize;
            CheckRange(pos + 4L, bytes, $"{what} of {n} x {elemSize}-byte elements");
            return new FlatVector(this, pos + 4, (int)n, elemSize);
        }

        /// <summary>A string whose length prefix is at absolute position <paramref name="pos"/>.</summary>
        public string StringAt(int pos, string what = "string")
        {
            var v = VectorAt(pos, 1, what);
            CheckRange(v.Position + (long)v.Length, 1, $"terminator of {what}");
            if (_data[v.Position + v.Length] != 0) Fail($"{what} at {pos} is not NUL-terminated");
            Charge(v.Length);
            return Encoding.UTF8.GetString(_data, v.Position, v.Length);
        }
    }

    /// <summary>A checked view of one table. <c>default(FlatTable)</c> is the absent table (<see cref="IsNull"/>).</summary>
    public readonly struct FlatTable
    {
        private readonly FlatBufferReader _r;
        private readonly int _vt, _vtLen, _objLen;

        internal FlatTable(FlatBufferReader r, int pos, int vt, int vtLen, int objLen)
        {
            _r = r; Position = pos; _vt = vt; _vtLen = vtLen; _objLen = objLen;
        }

        public bool IsNull => _r == null;
        /// <summary>Absolute position of the table (its soffset to the vtable).</summary>
        public int Position { get; }
        public FlatBufferReader Reader => _r;

        private void EnsureNotNull()
        {
            if (_r == null) throw new InvalidOperationException("access to an absent table");
        }

        /// <summary>Absolute position of field <paramref name="field"/>'s inline data, or 0 when absent.</summary>
        public int FieldPosition(int field, int size, int align)
        {
            EnsureNotNull();
            if (field < 0) throw new ArgumentOutOfRangeException(nameof(field));
            int slot = 4 + 2 * field;
            if (slot + 2 > _vtLen) return 0;
            int voff = _r.U16(_vt + slot);
            if (voff == 0) return 0;
            if (voff < 4 || voff + size > _objLen) FlatBufferReader.Fail($"field {field} of table at {Position} (offset {voff}, {size} bytes) lies outside the table's {_objLen} bytes");
            int pos = Position + voff;
            FlatBufferReader.CheckAlign(pos, align, $"field {field} of table at {Position}");
            return pos;
        }

        public bool Has(int field) => FieldPosition(field, 1, 1) != 0;

        public bool GetBool(int field, bool d = false) { int p = FieldPosition(field, 1, 1); return p == 0 ? d : _r.U8(p) != 0; }
        public byte GetByte(int field, byte d = 0) { int p = FieldPosition(field, 1, 1); return p == 0 ? d : _r.U8(p); }
        public sbyte GetSbyte(int field, sbyte d = 0) { int p = FieldPosition(field, 1, 1); return p == 0 ? d : unchecked((sbyte)_r.U8(p)); }
        public short GetShort(int field, short d = 0) { int p = FieldPosition(field, 2, 2); return p == 0 ? d : unchecked((short)_r.U16(p)); }
        public ushort GetUshort(int field, ushort d = 0) { int p = FieldPosition(field, 2, 2); return p == 0 ? d : _r.U16(p); }
        public int GetInt(int field, int d = 0) { int p = FieldPosition(field, 4, 4); return p == 0 ? d : _r.I32(p); }
        public uint GetUint(int field, uint d = 0) { int p = FieldPosition(field, 4, 4); return p == 0 ? d : _r.U32(p); }
        public long GetLong(int field, long d = 0) { int p = FieldPosition(field, 8, 8); return p == 0 ? d : _r.I64(p); }
        public ulong GetUlong(int field, ulong d = 0) { int p = FieldPosition(field, 8, 8); return p == 0 ? d : _r.U64(p); }
        public float GetFloat(int field, float d = 0) { int p = FieldPosition(field, 4, 4); return p == 0 ? d : _r.F32(p); }
        public double GetDouble(int field, double d = 0) { int p = FieldPosition(field, 8, 8); return p == 0 ? d : _r.F64(p); }

        /// <summary>Sub-table field; absent gives a null table.</summary>
        public FlatTable GetTable(int field)
        {
            int p = FieldPosition(field, 4, 4);
            return p == 0 ? default : _r.TableAt(_r.ReadUOffset(p), $"table (field {field} of table at {Position})");
        }

        /// <summary>String field; absent gives null.</summary>
        public string GetString(int field)
        {
            int p = FieldPosition(field, 4, 4);
            return p == 0 ? null : _r.StringAt(_r.ReadUOffset(p), $"string (field {field} of table at {Position})");
        }

        /// <summary>Vector field of <paramref name="elemSize"/>-byte elements (4 for offsets); absent gives a null vector.</summary>
        public FlatVector GetVector(int field, int elemSize)
        {
            int p = FieldPosition(field, 4, 4);
            return p == 0 ? default : _r.VectorAt(_r.ReadUOffset(p), elemSize, $"vector (field {field} of table at {Position})");
        }

        /// <summary>
        /// Union: <paramref name="typeField"/> is the <c>_type</c> field's index; the value is at typeField + 1.
        /// Returns the type (0 = NONE) and the value table (null when NONE or absent).
        /// </summary>
        public byte GetUnion(int typeField, out FlatTable value)
        {
            byte type = GetByte(typeField);
            value = type == 0 ? default : GetTable(typeField + 1);
            return type;
        }

        /// <summary>Absolute position of an inline struct field, or 0 when absent.</summary>
        public int GetStructPosition(int field, int structSize, int structAlign) => FieldPosition(field, structSize, structAlign);
    }

    /// <summary>A checked view of one vector. <c>default(FlatVector)</c> is the absent vector (length 0).</summary>
    public readonly struct FlatVector
    {
        private readonly FlatBufferReader _r;

        internal FlatVector(FlatBufferReader r, int pos, int length, int elemSize)
        {
            _r = r; Position = pos; Length = length; ElementSize = elemSize;
        }

        public bool IsNull => _r == null;
        /// <summary>Absolute position of the first element.</summary>
        public int Position { get; }
        public int Length { get; }
        public int ElementSize { get; }

        private int At(int i, int size)
        {
            if ((uint)i >= (uint)Length) throw new ArgumentOutOfRangeException(nameof(i), $"index {i} outside vector of {Length}");
            if (size > ElementSize) throw new InvalidOperationException($"reading {size}-byte elements from a vector of {ElementSize}-byte elements");
            return Position + i * ElementSize;
        }

        public byte GetByte(int i) => _r.U8(At(i, 1));
        public sbyte GetSbyte(int i) => unchecked((sbyte)_r.U8(At(i, 1)));
        public bool GetBool(int i) => _r.U8(At(i, 1)) != 0;
        public short GetShort(int i) => unchecked((short)_r.U16(At(i, 2)));
        public int GetInt(int i) => _r.I32(At(i, 4));
        public uint GetUint(int i) => _r.U32(At(i, 4));
        public long GetLong(int i) => _r.I64(At(i, 8));
        public float GetFloat(int i) => _r.F32(At(i, 4));

        /// <summary>Element i of a vector of tables.</summary>
        public FlatTable GetTable(int i)
        {
            int p = At(i, 4);
            return _r.TableAt(_r.ReadUOffset(p), $"table (element {i} of vector at {Position})");
        }

        /// <summary>Element i of a vector of strings.</summary>
        public string GetString(int i)
        {
            int p = At(i, 4);
            return _r.StringAt(_r.ReadUOffset(p), $"string (element {i} of vector at {Position})");
        }

        /// <summary>Absolute position of struct element i.</summary>
        public int StructPosition(int i) => At(i, 1);

        /// <summary>The raw element bytes (no copy).</summary>
        public ReadOnlySpan<byte> Bytes => _r == null ? ReadOnlySpan<byte>.Empty : _r.Data.Slice(Position, Length * ElementSize);

        public byte[] ToByteArray()
        {
            if (_r == null) return Array.Empty<byte>();
            _r.Charge((long)Length * ElementSize);
            return Bytes.ToArray();
        }

        public int[] ToIntArray()
        {
            if (_r == null) return Array.Empty<int>();
            RequireSize(4);
            _r.Charge(4L * Length);
            var a = new int[Length];
            for (int i = 0; i < a.Length; i++) a[i] = _r.I32(Position + 4 * i);
            return a;
        }

        public long[] ToLongArray()
        {
            if (_r == null) return Array.Empty<long>();
            RequireSize(8);
            _r.Charge(8L * Length);
            var a = new long[Length];
            for (int i = 0; i < a.Length; i++) a[i] = _r.I64(Position + 8 * i);
            return a;
        }

        public float[] ToFloatArray()
        {
            if (_r == null) return Array.Empty<float>();
            RequireSize(4);
            _r.Charge(4L * Length);
            var a = new float[Length];
            for (int i = 0; i < a.Length; i++) a[i] = _r.F32(Position + 4 * i);
            return a;
        }

        public bool[] ToBoolArray()
        {
            if (_r == null) return Array.Empty<bool>();
            RequireSize(1);
            _r.Charge(Length);
            var a = new bool[Length];
            for (int i = 0; i < a.Length; i++) a[i] = _r.U8(Position + i) != 0;
            return a;
        }

        private void RequireSize(int size)
        {
            if (ElementSize != size) throw new InvalidOperationException($"vector has {ElementSize}-byte elements, not {size}");
        }
    }
}
