using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Text;

namespace Edge.Converter.FlatBuffers
{
    /// <summary>
    /// A minimal FlatBuffers builder, written after the official one (google/flatbuffers, net/FlatBuffers):
    /// the buffer is filled back to front, so children (strings, vectors, sub-tables) are created before the
    /// table that refers to them. All offsets returned by this class are "offsets from the end of the buffer"
    /// (the official builder's <c>Offset</c>), 0 meaning "none"; pass them to <see cref="AddOffset"/> or put
    /// them into vectors. Little-endian output on any host.
    ///
    /// Alignment: every scalar is aligned to its size, and <see cref="Finish"/> pads the front of the buffer to
    /// the largest alignment ever requested (<see cref="MinAlign"/>), so alignment relative to the end of the
    /// buffer is alignment relative to its start. That is what makes <c>(force_align: 16)</c> vectors
    /// (<see cref="CreateByteVector(ReadOnlySpan{byte}, int)"/>) 16-aligned as file offsets.
    /// </summary>
    public sealed class FlatBufferBuilder
    {
        public const int FileIdentifierLength = 4;
        /// <summary>FlatBuffers' hard limit: uoffset_t is 32-bit and signed offsets must stay positive.</summary>
        public const int MaxBufferSize = int.MaxValue - 7;

        private byte[] _bb;
        private int _space;          // index of the first used byte in _bb; used bytes are _bb[_space..]
        private int _minAlign = 1;

        // Table under construction.
        private int[] _vtable = new int[16];
        private int _vtableSize = -1; // -1: no table open
        private int _objectStart;

        // Vector under construction.
        private bool _vectorOpen;
        private int _vectorNumElems;

        // Written vtables (as offsets from the end), for de-duplication.
        private readonly List<int> _vtables = new();
        private bool _finished;

        public FlatBufferBuilder(int initialSize = 1024)
        {
            if (initialSize < 16) initialSize = 16;
            _bb = new byte[initialSize];
            _space = _bb.Length;
        }

        /// <summary>Write scalar fields even when they equal the schema default (default false).</summary>
        public bool ForceDefaults { get; set; }

        /// <summary>Share identical vtables between tables (default true, as the official builder does).</summary>
        public bool DedupeVtables { get; set; } = true;

        /// <summary>Bytes written so far: the offset (from the end) of the most recently written byte.</summary>
        public int Offset => _bb.Length - _space;

        /// <summary>The largest alignment requested so far; <see cref="Finish"/> pads to it.</summary>
        public int MinAlign => _minAlign;

        // ------------------------------------------------------------------------------------------------
        // Low level: growth, alignment, raw puts (no alignment; callers Prep first).
        // ------------------------------------------------------------------------------------------------

        private void GrowFront(int needed)
        {
            long used = _bb.Length - _space;
            long newSize = Math.Max((long)_bb.Length * 2, used + needed);
            if (newSize > MaxBufferSize)
            {
                if (used + needed > MaxBufferSize)
                    throw new InvalidOperationException("FlatBuffers cannot grow beyond 2 GiB.");
                newSize = MaxBufferSize;
            }
            var nb = new byte[newSize];
            Buffer.BlockCopy(_bb, _space, nb, (int)(newSize - used), (int)used);
            _space = (int)(newSize - used);
            _bb = nb;
        }

        /// <summary>Adds <paramref name="n"/> zero bytes.</summary>
        public void Pad(int n)
        {
            if (n < 0) throw new ArgumentOutOfRangeException(nameof(n));
            if (_space < n) GrowFront(n);
            for (int i = 0; i < n; i++) _bb[--_space] = 0;
        }

        /// <summary>
        /// Prepares to write an element of <paramref name="size"/> bytes after <paramref name="additionalBytes"/>
        /// bytes have been written: pads so that, once those bytes are written, the element is aligned to
        /// <paramref name="size"/>, and makes room for both. Tracks the buffer's minimum alignment.
        /// </summary>
        public void Prep(int size, int additionalBytes)
        {
            if (size <= 0 || (size & (size - 1)) != 0) throw new ArgumentException("alignment must be a power of two", nameof(size));
            if (additionalBytes < 0) throw new ArgumentOutOfRangeException(nameof(additionalBytes));
            if (size > _minAlign) _minAlign = size;
            long used = _bb.Length - _space;
            int alignSize = (int)((~(used + additionalBytes) + 1) & (size - 1));
            long need = (long)alignSize + size + additionalBytes;
            if (used + need > MaxBufferSize) throw new InvalidOperationException("FlatBuffers cannot grow beyond 2 GiB.");
            if (_space < need) GrowFront((int)need);
            Pad(alignSize);
        }

        public void PutBool(bool x) { _bb[--_space] = x ? (byte)1 : (byte)0; }
        public void PutByte(byte x) { _bb[--_space] = x; }
        public void PutSbyte(sbyte x) { _bb[--_space] = unchecked((byte)x); }
        public void PutShort(short x) { _space -= 2; BinaryPrimitives.WriteInt16LittleEndian(_bb.AsSpan(_space), x); }
        public void PutUshort(ushort x) { _space -= 2; BinaryPrimitives.WriteUInt16LittleEndian(_bb.AsSpan(_space), x); }
        public void PutInt(int x) { _space -= 4; BinaryPrimitives.WriteInt32LittleEndian(_bb.AsSpan(_space), x); }
        public void PutUint(uint x) { _space -= 4; BinaryPrimitives.WriteUInt32LittleEndian(_bb.AsSpan(_space), x); }
        public void PutLong(long x) { _space -= 8; BinaryPrimitives.WriteInt64LittleEndian(_bb.AsSpan(_space), x); }
        public void PutUlong(ulong x) { _space -= 8; BinaryPrimitives.WriteUInt64LittleEndian(_bb.AsSpan(_space), x); }
        public void PutFloat(float x) { _space -= 4; BinaryPrimitives.WriteSingleLittleEndian(_bb.AsSpan(_space), x); }
        public void PutDouble(double x) { _space -= 8; BinaryPrimitives.WriteDoubleLittleEndian(_bb.AsSpan(_space), x); }

        // Aligned scalar adds (Prep + Put).
        public void AddBool(bool x) { Prep(1, 0); PutBool(x); }
        public void AddByte(byte x) { Prep(1, 0); PutByte(x); }
        public void AddSbyte(sbyte x) { Prep(1, 0); PutSbyte(x); }
        public void AddShort(short x) { Prep(2, 0); PutShort(x); }
        public void AddUshort(ushort x) { Prep(2, 0); PutUshort(x); }
        public void AddInt(int x) { Prep(4, 0); PutInt(x); }
        public void AddUint(uint x) { Prep(4, 0); PutUint(x); }
        public void AddLong(long x) { Prep(8, 0); PutLong(x); }
        public void AddUlong(ulong x) { Prep(8, 0); PutUlong(x); }
        public void AddFloat(float x) { Prep(4, 0); PutFloat(x); }
        public void AddDouble(double x) { Prep(8, 0); PutDouble(x); }

        /// <summary>Adds a uoffset_t pointing at <paramref name="off"/> (an offset returned by this builder).</summary>
        public void AddOffset(int off)
        {
            Prep(4, 0);
            if (off <= 0 || off > Offset) throw new ArgumentException($"offset {off} does not refer to an object already in this buffer", nameof(off));
            PutInt(Offset - off + 4);
        }

        // ------------------------------------------------------------------------------------------------
        // Tables.
        // ------------------------------------------------------------------------------------------------

        private void NotNested(string what)
        {
            if (_finished) throw new InvalidOperationException($"{what}: the buffer is already finished.");
            if (_vtableSize >= 0) throw new InvalidOperationException($"{what}: cannot be done while a table is being built (call EndTable first).");
            if (_vectorOpen) throw new InvalidOperationException($"{what}: cannot be done while a vector is being built (call EndVector first).");
        }

        /// <summary>Starts a table with <paramref name="numFields"/> fields (slots 0..numFields-1 in schema order).</summary>
        public void StartTable(int numFields)
        {
            NotNested("StartTable");
            if (numFields < 0 || numFields > 0x7FF0 / 2) throw new ArgumentOutOfRangeException(nameof(numFields));
            if (_vtable.Length < numFields) _vtable = new int[numFields];
            Array.Clear(_vtable, 0, numFields);
            _vtableSize = numFields;
            _objectStart = Offset;
        }

        private void Slot(int slot)
        {
            if (_vtableSize < 0) throw new InvalidOperationException("No table is being built (call StartTable first).");
            if (slot < 0 || slot >= _vtableSize) throw new ArgumentOutOfRangeException(nameof(slot), $"slot {slot} outside 0..{_vtableSize - 1}");
            _vtable[slot] = Offset;
        }

        private bool Skip(bool isDefault, bool force) => isDefault && !force && !ForceDefaults;

        public void AddBool(int slot, bool x, bool d, bool force = false) { if (Skip(x == d, force)) return; AddBool(x); Slot(slot); }
        public void AddByte(int slot, byte x, byte d, bool force = false) { if (Skip(x == d, force)) return; AddByte(x); Slot(slot); }
        public void AddSbyte(int slot, sbyte x, sbyte d, bool force = false) { if (Skip(x == d, force)) return; AddSbyte(x); Slot(slot); }
        public void AddShort(int slot, short x, short d, bool force = false) { if (Skip(x == d, force)) return; AddShort(x); Slot(slot); }
        public void AddUshort(int slot, ushort x, ushort d, bool force = false) { if (Skip(x == d, force)) return; AddUshort(x); Slot(slot); }
        public void AddInt(int slot, int x, int d, bool force = false) { if (Skip(x == d, force)) return; AddInt(x); Slot(slot); }
        public void AddUint(int slot, uint x, uint d, bool force = false) { if (Skip(x == d, force)) return; AddUint(x); Slot(slot); }
        public void AddLong(int slot, long x, long d, bool force = false) { if (Skip(x == d, force)) return; AddLong(x); Slot(slot); }
        public void AddUlong(int slot, ulong x, ulong d, bool force = false) { if (Skip(x == d, force)) return; AddUlong(x); Slot(slot); }
        // Floats compare bitwise so that -0.0 and NaN payloads are not mistaken for a 0.0 default.
        public void AddFloat(int slot, float x, float d, bool force = false)
        { if (Skip(BitConverter.SingleToInt32Bits(x) == BitConverter.SingleToInt32Bits(d), force)) return; AddFloat(x); Slot(slot); }
        public void AddDouble(int slot, double x, double d, bool force = false)
        { if (Skip(BitConverter.DoubleToInt64Bits(x) == BitConverter.DoubleToInt64Bits(d), force)) return; AddDouble(x); Slot(slot); }

        /// <summary>Adds an offset field (string, vector, table); 0 means absent and is skipped.</summary>
        public void AddOffset(int slot, int off)
        {
            if (off == 0) return;
            AddOffset(off);
            Slot(slot);
        }

        /// <summary>Finishes the table started by <see cref="StartTable"/> and returns its offset.</summary>
        public int EndTable()
        {
            if (_vtableSize < 0) throw new InvalidOperationException("EndTable without StartTable.");
            if (_vectorOpen) throw new InvalidOperationException("EndTable while a vector is open.");

            AddInt(0); // placeholder for the soffset to the vtable
            int vtableloc = Offset;
            int objectSize = vtableloc - _objectStart;
            if (objectSize > 0xFFFF) throw new InvalidOperationException($"table is {objectSize} bytes; FlatBuffers tables are limited to 65535 bytes of inline data.");

            int i = _vtableSize - 1;
            while (i >= 0 && _vtable[i] == 0) i--;
            int trimmedSize = i + 1;
            for (; i >= 0; i--)
            {
                int off = _vtable[i] != 0 ? vtableloc - _vtable[i] : 0;
                AddShort((short)off);
                _vtable[i] = 0;
            }
            AddShort((short)objectSize);
            AddShort((short)((trimmedSize + 2) * 2));

            int existing = 0;
            if (DedupeVtables)
            {
                ReadOnlySpan<byte> cur = _bb.AsSpan(_space, (trimmedSize + 2) * 2);
                foreach (int vt in _vtables)
                {
                    int pos = _bb.Length - vt;
                    int len = BinaryPrimitives.ReadUInt16LittleEndian(_bb.AsSpan(pos));
                    if (len == cur.Length && _bb.AsSpan(pos, len).SequenceEqual(cur)) { existing = vt; break; }
                }
            }

            if (existing != 0)
            {
                // Drop the vtable just written and point the table at the existing one.
                _space = _bb.Length - vtableloc;
                BinaryPrimitives.WriteInt32LittleEndian(_bb.AsSpan(_space), existing - vtableloc);
            }
            else
            {
                _vtables.Add(Offset);
                BinaryPrimitives.WriteInt32LittleEndian(_bb.AsSpan(_bb.Length - vtableloc), Offset - vtableloc);
            }
            _vtableSize = -1;
            return vtableloc;
        }

        // ------------------------------------------------------------------------------------------------
        // Vectors and strings.
        // ------------------------------------------------------------------------------------------------

        /// <summary>
        /// Starts a vector of <paramref name="count"/> elements of <paramref name="elemSize"/> bytes whose first
        /// element is aligned to <paramref name="alignment"/>. Write the elements last to first with Put*/Add*,
        /// then call <see cref="EndVector"/>.
        /// </summary>
        public void StartVector(int elemSize, int count, int alignment)
        {
            NotNested("StartVector");
            if (elemSize <= 0) throw new ArgumentOutOfRangeException(nameof(elemSize));
            if (count < 0) throw new ArgumentOutOfRangeException(nameof(count));
            long bytes = (long)elemSize * count;
            if (bytes > MaxBufferSize) throw new InvalidOperationException("vector too large for a FlatBuffer.");
            _vectorOpen = true;
            _vectorNumElems = count;
            Prep(4, (int)bytes);
            Prep(Math.Max(alignment, 1), (int)bytes);
        }

        /// <summary>Writes the vector's length prefix and returns the vector's offset.</summary>
        public int EndVector()
        {
            if (!_vectorOpen) throw new InvalidOperationException("EndVector without StartVector.");
            _vectorOpen = false;
            // StartVector's Prep(4, bytes) guarantees the length prefix lands 4-aligned with room reserved.
            PutInt(_vectorNumElems);
            return Offset;
        }

        /// <summary>Creates a null-terminated UTF-8 string; null gives 0 (absent).</summary>
        public int CreateString(string s)
        {
            if (s == null) return 0;
            NotNested("CreateString");
            int len = Encoding.UTF8.GetByteCount(s);
            AddByte(0);
            StartVector(1, len, 1);
            _space -= len;
            Encoding.UTF8.GetBytes(s, 0, s.Length, _bb, _space);
            return EndVector();
        }

        /// <summary>Creates a [ubyte] vector. <paramref name="alignment"/> is the schema's force_align (1 if none).</summary>
        public int CreateByteVector(ReadOnlySpan<byte> data, int alignment = 1)
        {
            StartVector(1, data.Length, alignment);
            _space -= data.Length;
            data.CopyTo(_bb.AsSpan(_space));
            return EndVector();
        }

        public int CreateVector(ReadOnlySpan<byte> data) => CreateByteVector(data, 1);

        public int CreateVector(ReadOnlySpan<bool> data)
        {
            StartVector(1, data.Length, 1);
            for (int i = data.Length - 1; i >= 0; i--) PutBool(data[i]);
            return EndVector();
        }

        public int CreateVector(ReadOnlySpan<short> data)
        {
            StartVector(2, data.Length, 2);
            for (int i = data.Length - 1; i >= 0; i--) PutShort(data[i]);
            return EndVector();
        }

        public int CreateVector(ReadOnlySpan<int> data)
        {
            StartVector(4, data.Length, 4);
            for (int i = data.Length - 1; i >= 0; i--) PutInt(data[i]);
            return EndVector();
        }

        public int CreateVector(ReadOnlySpan<uint> data)
        {
            StartVector(4, data.Length, 4);
            for (int i = data.Length - 1; i >= 0; i--) PutUint(data[i]);
            return EndVector();
        }

        public int CreateVector(ReadOnlySpan<long> data)
        {
            StartVector(8, data.Length, 8);
            for (int i = data.Length - 1; i >= 0; i--) PutLong(data[i]);
            return EndVector();
        }

        public int CreateVector(ReadOnlySpan<float> data)
        {
            StartVector(4, data.Length, 4);
            for (int i = data.Length - 1; i >= 0; i--) PutFloat(data[i]);
            return EndVector();
        }

        /// <summary>Creates a vector of offsets (tables or strings), each already created in this buffer.</summary>
        public int CreateOffsetVector(ReadOnlySpan<int> offsets)
        {
            StartVector(4, offsets.Length, 4);
            for (int i = offsets.Length - 1; i >= 0; i--) AddOffset(offsets[i]);
            return EndVector();
        }

        /// <summary>
        /// Creates a vector of structs. <paramref name="writeStruct"/> writes one struct's fields back to front
        /// with the Put* methods (last field first, including any padding); this method aligns each struct to
        /// <paramref name="structAlign"/> and checks that exactly <paramref name="structSize"/> bytes were written.
        /// </summary>
        public int CreateVectorOfStructs<T>(IReadOnlyList<T> items, int structSize, int structAlign, Action<FlatBufferBuilder, T> writeStruct)
        {
            if (items == null) throw new ArgumentNullException(nameof(items));
            if (structSize <= 0 || structSize % structAlign != 0) throw new ArgumentException("struct size must be a positive multiple of its alignment");
            StartVector(structSize, items.Count, structAlign);
            for (int i = items.Count - 1; i >= 0; i--)
            {
                Prep(structAlign, structSize);
                int before = Offset;
                writeStruct(this, items[i]);
                if (Offset - before != structSize)
                    throw new InvalidOperationException($"struct writer wrote {Offset - before} bytes, expected {structSize}");
            }
            return EndVector();
        }

        // ------------------------------------------------------------------------------------------------
        // Finishing.
        // ------------------------------------------------------------------------------------------------

        /// <summary>
        /// Finishes the buffer with <paramref name="rootTable"/> as root and an optional 4-character file
        /// identifier, padding the front so the buffer's total size is a multiple of <see cref="MinAlign"/>.
        /// </summary>
        public void Finish(int rootTable, string fileIdentifier = null)
        {
            NotNested("Finish");
            bool hasId = fileIdentifier != null;
            if (hasId && (fileIdentifier.Length != FileIdentifierLength || !IsAscii(fileIdentifier)))
                throw new ArgumentException("file identifier must be exactly 4 ASCII characters", nameof(fileIdentifier));
            Prep(_minAlign, 4 + (hasId ? FileIdentifierLength : 0));
            if (hasId)
                for (int i = FileIdentifierLength - 1; i >= 0; i--) AddByte((byte)fileIdentifier[i]);
            AddOffset(rootTable);
            _finished = true;
        }

        private static bool IsAscii(string s)
        {
            foreach (char c in s) if (c > 0x7F) return false;
            return true;
        }

        /// <summary>The finished buffer (a copy).</summary>
        public byte[] ToArray()
        {
            if (!_finished) throw new InvalidOperationException("Finish the buffer before reading it.");
            return _bb.AsSpan(_space).ToArray();
        }

        /// <summary>The finished buffer without copying.</summary>
        public ReadOnlySpan<byte> AsSpan()
        {
            if (!_finished) throw new InvalidOperationException("Finish the buffer before reading it.");
            return _bb.AsSpan(_space);
        }
    }
}
