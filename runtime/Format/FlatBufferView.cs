using System;

namespace Edge.Runtime
{
    /// <summary>
    /// Checked FlatBuffers access over a byte[] (little-endian). Every read verifies that what it touches lies
    /// inside the buffer and inside its table; any violation throws <see cref="EdgeFormatException"/> naming the
    /// field (path + "." + field) and the offset. Used only while loading; the interpreter never reads the file
    /// structure again. Written in the nanoFramework subset: no generics, no spans, little-endian by hand.
    /// </summary>
    public static class FlatBufferView
    {
        public static int ReadInt32(byte[] b, int pos)
        {
            return b[pos] | (b[pos + 1] << 8) | (b[pos + 2] << 16) | (b[pos + 3] << 24);
        }

        public static int ReadUInt16(byte[] b, int pos)
        {
            return b[pos] | (b[pos + 1] << 8);
        }

        public static long ReadInt64(byte[] b, int pos)
        {
            return (long)(uint)ReadInt32(b, pos) | ((long)ReadInt32(b, pos + 4) << 32);
        }

        public static float ReadFloat(byte[] b, int pos)
        {
            return FloatBits.ToFloat(ReadInt32(b, pos));
        }

        private static string Name(string path, string field)
        {
            if (path == null || path.Length == 0) return field;
            if (field == null || field.Length == 0) return path;
            return string.Concat(path, ".", field);
        }

        private static EdgeFormatException Fail(string path, string field, int offset, string problem)
        {
            return new EdgeFormatException(Name(path, field), offset, problem);
        }

        /// <summary>Verifies the table header and vtable at <paramref name="pos"/>; returns pos.</summary>
        public static int CheckTable(byte[] b, int pos, string path)
        {
            int len = b.Length;
            if (pos < 0 || pos > len - 4) throw Fail(path, null, pos, "table lies outside the file");
            if ((pos & 3) != 0) throw Fail(path, null, pos, "table is not 4-byte aligned");
            long vt = (long)pos - ReadInt32(b, pos);
            if (vt < 0 || vt > len - 4) throw Fail(path, null, pos, "vtable offset points outside the file");
            if ((vt & 1) != 0) throw Fail(path, null, (int)vt, "vtable is not 2-byte aligned");
            int vtSize = ReadUInt16(b, (int)vt);
            int tableSize = ReadUInt16(b, (int)vt + 2);
            if (vtSize < 4 || (vtSize & 1) != 0 || vt + vtSize > len)
                throw Fail(path, null, (int)vt, "vtable size is invalid");
            if (tableSize < 4 || (long)pos + tableSize > len)
                throw Fail(path, null, pos, "table size runs past the end of the file");
            return pos;
        }

        /// <summary>
        /// Absolute position of field <paramref name="slot"/> (0-based) of a checked table, or -1 when absent.
        /// Verifies that <paramref name="size"/> bytes of the field lie inside the table.
        /// </summary>
        public static int FieldPos(byte[] b, int table, int slot, int size, string path, string field)
        {
            int vt = table - ReadInt32(b, table);
            int vtSize = ReadUInt16(b, vt);
            int entry = 4 + 2 * slot;
            if (entry + 2 > vtSize) return -1;
            int off = ReadUInt16(b, vt + entry);
            if (off == 0) return -1;
            int tableSize = ReadUInt16(b, vt + 2);
            // Report the vtable entry holding the bad field offset: table + off may lie outside the file.
            if (off < 4 || off + size > tableSize) throw Fail(path, field, vt + entry, "field lies outside its table");
            return table + off;
        }

        public static int GetInt(byte[] b, int table, int slot, int defaultValue, string path, string field)
        {
            int p = FieldPos(b, table, slot, 4, path, field);
            return p < 0 ? defaultValue : ReadInt32(b, p);
        }

        public static long GetLong(byte[] b, int table, int slot, long defaultValue, string path, string field)
        {
            int p = FieldPos(b, table, slot, 8, path, field);
            return p < 0 ? defaultValue : ReadInt64(b, p);
        }

        public static int GetUInt16(byte[] b, int table, int slot, int defaultValue, string path, string field)
        {
            int p = FieldPos(b, table, slot, 2, path, field);
            return p < 0 ? defaultValue : ReadUInt16(b, p);
        }

        public static int GetByte(byte[] b, int table, int slot, int defaultValue, string path, string field)
        {
            int p = FieldPos(b, table, slot, 1, path, field);
            return p < 0 ? defaultValue : b[p];
        }

        public static bool GetBool(byte[] b, int table, int slot, string path, string field)
        {
            int p = FieldPos(b, table, slot, 1, path, field);
            if (p < 0) return false;
            if (b[p] > 1) throw Fail(path, field, p, "bool is neither 0 nor 1");
            return b[p] == 1;
        }

        public static float GetFloat(byte[] b, int table, int slot, float defaultValue, string path, string field)
        {
            int p = FieldPos(b, table, slot, 4, path, field);
            return p < 0 ? defaultValue : ReadFloat(b, p);
        }

        /// <summary>Follows the offset stored in a reference field; -1 when absent.</summary>
        public static int GetRef(byte[] b, int table, int slot, string path, string field)
        {
            int p = FieldPos(b, table, slot, 4, path, field);
            if (p < 0) return -1;
            uint rel = (uint)ReadInt32(b, p);
            long target = (long)p + rel;
            if (rel == 0 || target > b.Length - 4)
                throw Fail(path, field, p, "offset points outside the file");
            return (int)target;
        }

        /// <summary>Checked sub-table reference; -1 when absent.</summary>
        public static int GetTable(byte[] b, int table, int slot, string path, string field)
        {
            int t = GetRef(b, table, slot, path, field);
            if (t < 0) return -1;
            return CheckTable(b, t, Name(path, field));
        }

        /// <summary>Element count of the vector at <paramref name="vec"/>, checked against the file size.</summary>
        public static int VectorLength(byte[] b, int vec, int elementSize, string path, string field)
        {
            if (vec < 0 || vec > b.Length - 4) throw Fail(path, field, vec, "vector lies outside the file");
            if ((vec & 3) != 0) throw Fail(path, field, vec, "vector is not 4-byte aligned");
            uint n = (uint)ReadInt32(b, vec);
            long bytes = (long)n * elementSize;
            if (bytes > (long)b.Length - vec - 4)
                throw Fail(path, field, vec, string.Concat("vector of ", n.ToString(), " elements runs past the end of the file"));
            return (int)n;
        }

        /// <summary>Reads an int vector field (null when absent).</summary>
        public static int[] GetIntVector(byte[] b, int table, int slot, string path, string field)
        {
            int v = GetRef(b, table, slot, path, field);
            if (v < 0) return null;
            int n = VectorLength(b, v, 4, path, field);
            int[] r = new int[n];
            for (int i = 0; i < n; i++) r[i] = ReadInt32(b, v + 4 + 4 * i);
            return r;
        }

        /// <summary>Reads a float vector field (null when absent).</summary>
        public static float[] GetFloatVector(byte[] b, int table, int slot, string path, string field)
        {
            int v = GetRef(b, table, slot, path, field);
            if (v < 0) return null;
            int n = VectorLength(b, v, 4, path, field);
            float[] r = new float[n];
            for (int i = 0; i < n; i++) r[i] = ReadFloat(b, v + 4 + 4 * i);
            return r;
        }

        /// <summary>Element <paramref name="i"/> of a vector of tables, checked.</summary>
        public static int GetVectorTable(byte[] b, int vec, int i, string path)
        {
            int p = vec + 4 + 4 * i;
            uint rel = (uint)ReadInt32(b, p);
            long target = (long)p + rel;
            if (rel == 0 || target > b.Length - 4) throw Fail(path, null, p, "offset points outside the file");
            return CheckTable(b, (int)target, path);
        }

        /// <summary>Reads a UTF-8 string field (null when absent).</summary>
        public static string GetString(byte[] b, int table, int slot, string path, string field)
        {
            int v = GetRef(b, table, slot, path, field);
            if (v < 0) return null;
            int n = VectorLength(b, v, 1, path, field);
            if (n >= b.Length - v - 4) throw Fail(path, field, v, "string is not zero-terminated");
            if (b[v + 4 + n] != 0) throw Fail(path, field, v + 4 + n, "string is not zero-terminated");
            return Utf8.Decode(b, v + 4, n);
        }
    }
}
