using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using Edge.Converter.FlatBuffers;
using Xunit;

namespace Edge.Tests.Format
{
    /// <summary>Round trips: build with FlatBufferBuilder, read back with FlatBufferReader.</summary>
    public class FlatBufferBuilderTests
    {
        [Fact]
        public void Scalars_RoundTrip_AllTypes()
        {
            var b = new FlatBufferBuilder(16); // tiny initial size forces growth
            b.StartTable(8);
            b.AddBool(0, true, false);
            b.AddByte(1, 0xAB, 0);
            b.AddShort(2, -12345, 0);
            b.AddUshort(3, 54321, 0);
            b.AddInt(4, -123456789, 0);
            b.AddUint(5, 3000000000u, 0);
            b.AddLong(6, -1234567890123456789L, 0);
            b.AddFloat(7, 3.25f, 0f);
            int t = b.EndTable();
            b.Finish(t, "TEST");
            byte[] buf = b.ToArray();

            var r = new FlatBufferReader(buf);
            Assert.Equal("TEST", r.FileIdentifier);
            var root = r.Root();
            Assert.True(root.GetBool(0));
            Assert.Equal(0xAB, root.GetByte(1));
            Assert.Equal(-12345, root.GetShort(2));
            Assert.Equal(54321, root.GetUshort(3));
            Assert.Equal(-123456789, root.GetInt(4));
            Assert.Equal(3000000000u, root.GetUint(5));
            Assert.Equal(-1234567890123456789L, root.GetLong(6));
            Assert.Equal(3.25f, root.GetFloat(7));
            // Every scalar is naturally aligned in the final buffer (the reader checks; assert it explicitly too).
            Assert.Equal(0, root.FieldPosition(6, 8, 8) % 8);
            Assert.Equal(0, buf.Length % b.MinAlign);
        }

        [Fact]
        public void Defaults_AreSkipped_UnlessForced()
        {
            var b = new FlatBufferBuilder();
            b.StartTable(4);
            b.AddInt(0, 7, 7);                 // default: skipped
            b.AddInt(1, 7, 7, force: true);    // forced
            b.AddFloat(2, -0f, 0f);            // -0.0 is not the default 0.0 bit pattern: written
            b.AddBool(3, false, false);        // default: skipped
            int t = b.EndTable();
            b.Finish(t);
            var root = new FlatBufferReader(b.ToArray()).Root();
            Assert.False(root.Has(0));
            Assert.Equal(7, root.GetInt(0, 7));
            Assert.True(root.Has(1));
            Assert.Equal(7, root.GetInt(1, 0));
            Assert.True(root.Has(2));
            Assert.True(float.IsNegative(root.GetFloat(2, 1f)));
            Assert.False(root.Has(3));

            var b2 = new FlatBufferBuilder { ForceDefaults = true };
            b2.StartTable(1);
            b2.AddInt(0, 5, 5);
            int t2 = b2.EndTable();
            b2.Finish(t2);
            var root2 = new FlatBufferReader(b2.ToArray()).Root();
            Assert.True(root2.Has(0));
            Assert.Equal(5, root2.GetInt(0, 0));
        }

        [Fact]
        public void Strings_Vectors_NestedTables_Union_RoundTrip()
        {
            var rnd = new Random(1234);
            int[] ints = Enumerable.Range(0, 37).Select(_ => rnd.Next(int.MinValue, int.MaxValue)).ToArray();
            float[] floats = Enumerable.Range(0, 11).Select(_ => (float)rnd.NextDouble() * 100 - 50).ToArray();
            long[] longs = Enumerable.Range(0, 5).Select(_ => rnd.NextInt64(long.MinValue, long.MaxValue)).ToArray();
            byte[] bytes = Enumerable.Range(0, 29).Select(_ => (byte)rnd.Next(256)).ToArray();
            string[] strings = { "", "a", "hello, world", "ünïcødé ✓ 日本", new string('x', 1000) };
            var structs = new List<(uint a, uint b)> { (1, 2), (0xFFFFFFFF, 0), (123456, 654321) };

            var b = new FlatBufferBuilder(8);
            int[] strOffs = strings.Select(b.CreateString).ToArray();
            int strVec = b.CreateOffsetVector(strOffs);
            int intVec = b.CreateVector(ints);
            int floatVec = b.CreateVector(floats);
            int longVec = b.CreateVector(longs);
            int byteVec = b.CreateByteVector(bytes);
            int emptyVec = b.CreateVector(Array.Empty<int>());
            int structVec = b.CreateVectorOfStructs(structs, 8, 4, (bb, s) => { bb.PutUint(s.b); bb.PutUint(s.a); });

            // vector of child tables
            var children = new int[4];
            for (int i = 0; i < children.Length; i++)
            {
                int name = b.CreateString("child" + i);
                b.StartTable(2);
                b.AddOffset(0, name);
                b.AddInt(1, i * 10, -1);
                children[i] = b.EndTable();
            }
            int childVec = b.CreateOffsetVector(children);

            // union member table
            b.StartTable(1);
            b.AddDouble(0, Math.PI, 0);
            int unionValue = b.EndTable();

            b.StartTable(11);
            b.AddOffset(0, strVec);
            b.AddOffset(1, intVec);
            b.AddOffset(2, floatVec);
            b.AddOffset(3, longVec);
            b.AddOffset(4, byteVec);
            b.AddOffset(5, emptyVec);
            b.AddOffset(6, structVec);
            b.AddOffset(7, childVec);
            b.AddByte(8, 3, 0);          // union type
            b.AddOffset(9, unionValue);  // union value
            b.AddOffset(10, strOffs[3]); // a string field shared with the vector
            int root = b.EndTable();
            b.Finish(root, "RTRP");

            var r = new FlatBufferReader(b.ToArray());
            var t = r.Root();
            var sv = t.GetVector(0, 4);
            Assert.Equal(strings, Enumerable.Range(0, sv.Length).Select(sv.GetString).ToArray());
            Assert.Equal(ints, t.GetVector(1, 4).ToIntArray());
            Assert.Equal(floats, t.GetVector(2, 4).ToFloatArray());
            Assert.Equal(longs, t.GetVector(3, 8).ToLongArray());
            Assert.Equal(bytes, t.GetVector(4, 1).ToByteArray());
            var ev = t.GetVector(5, 4);
            Assert.False(ev.IsNull);
            Assert.Equal(0, ev.Length);
            var stv = t.GetVector(6, 8);
            Assert.Equal(structs.Count, stv.Length);
            for (int i = 0; i < structs.Count; i++)
            {
                int p = stv.StructPosition(i);
                Assert.Equal(structs[i].a, BinaryPrimitives.ReadUInt32LittleEndian(r.Data.Slice(p)));
                Assert.Equal(structs[i].b, BinaryPrimitives.ReadUInt32LittleEndian(r.Data.Slice(p + 4)));
            }
            var cv = t.GetVector(7, 4);
            Assert.Equal(children.Length, cv.Length);
            for (int i = 0; i < cv.Length; i++)
            {
                Assert.Equal("child" + i, cv.GetTable(i).GetString(0));
                Assert.Equal(i * 10, cv.GetTable(i).GetInt(1, -1));
            }
            byte ut = t.GetUnion(8, out var uv);
            Assert.Equal(3, ut);
            Assert.Equal(Math.PI, uv.GetDouble(0));
            Assert.Equal(strings[3], t.GetString(10));
            Assert.True(t.GetVector(99, 4).IsNull); // field beyond the vtable: absent
            Assert.Null(t.GetString(42));
        }

        [Fact]
        public void Vtables_AreDeduplicated()
        {
            byte[] Build(bool dedupe)
            {
                var b = new FlatBufferBuilder { DedupeVtables = dedupe };
                var offs = new int[50];
                for (int i = 0; i < offs.Length; i++)
                {
                    b.StartTable(3);
                    b.AddInt(0, i + 1, 0);
                    b.AddShort(2, (short)(i + 100), 0);
                    offs[i] = b.EndTable();
                }
                int v = b.CreateOffsetVector(offs);
                b.StartTable(1);
                b.AddOffset(0, v);
                int root = b.EndTable();
                b.Finish(root);
                return b.ToArray();
            }
            byte[] shared = Build(true), separate = Build(false);
            Assert.True(shared.Length < separate.Length - 49 * 8, $"dedupe saved too little: {shared.Length} vs {separate.Length}");
            foreach (var buf in new[] { shared, separate })
            {
                var v = new FlatBufferReader(buf).Root().GetVector(0, 4);
                Assert.Equal(50, v.Length);
                for (int i = 0; i < 50; i++)
                {
                    Assert.Equal(i + 1, v.GetTable(i).GetInt(0));
                    Assert.False(v.GetTable(i).Has(1));
                    Assert.Equal(i + 100, v.GetTable(i).GetShort(2));
                }
            }
        }

        [Fact]
        public void ForceAlignedByteVector_StartsAt16AlignedFileOffset_ForAnyLayout()
        {
            var rnd = new Random(42);
            for (int iter = 0; iter < 300; iter++)
            {
                var b = new FlatBufferBuilder(rnd.Next(16, 64));
                // Random clutter before and after the aligned vector shifts the layout.
                int before = b.CreateString(new string('p', rnd.Next(0, 40)));
                var data = new byte[rnd.Next(0, 100)];
                rnd.NextBytes(data);
                int vec = b.CreateByteVector(data, 16);
                int after = b.CreateString(new string('q', rnd.Next(0, 40)));
                int small = b.CreateVector(Enumerable.Range(0, rnd.Next(0, 7)).Select(i => (short)i).ToArray());
                b.StartTable(4);
                b.AddOffset(0, before);
                b.AddOffset(1, vec);
                b.AddOffset(2, after);
                b.AddOffset(3, small);
                if (rnd.Next(2) == 0) b.AddByte(3, 1, 0);
                int root = b.EndTable();
                b.Finish(root, rnd.Next(2) == 0 ? "ABCD" : null);
                byte[] buf = b.ToArray();

                Assert.Equal(16, b.MinAlign);
                Assert.Equal(0, buf.Length % 16);
                var v = new FlatBufferReader(buf).Root().GetVector(1, 1);
                Assert.Equal(0, v.Position % 16);
                Assert.Equal(data, v.ToByteArray());
            }
        }

        [Fact]
        public void Finish_WritesIdentifierAndRootOffset()
        {
            var b = new FlatBufferBuilder();
            b.StartTable(1);
            b.AddInt(0, 99, 0);
            int root = b.EndTable();
            b.Finish(root, "EDGE");
            byte[] buf = b.ToArray();
            Assert.Equal((byte)'E', buf[4]);
            Assert.Equal((byte)'D', buf[5]);
            Assert.Equal((byte)'G', buf[6]);
            Assert.Equal((byte)'E', buf[7]);
            uint rootOff = BinaryPrimitives.ReadUInt32LittleEndian(buf);
            Assert.True(rootOff >= 8 && rootOff < buf.Length);
            Assert.Equal(99, new FlatBufferReader(buf).Root().GetInt(0));
        }

        [Fact]
        public void Misuse_Throws()
        {
            var b = new FlatBufferBuilder();
            b.StartTable(2);
            Assert.Throws<InvalidOperationException>(() => b.CreateString("nested"));
            Assert.Throws<InvalidOperationException>(() => b.StartTable(1));
            Assert.Throws<ArgumentOutOfRangeException>(() => b.AddInt(5, 1, 0));
            int t = b.EndTable();
            Assert.Throws<InvalidOperationException>(() => b.EndTable());
            Assert.Throws<ArgumentException>(() => b.Finish(t, "TOOLONG"));
            b.Finish(t);
            Assert.Throws<InvalidOperationException>(() => b.CreateString("late"));
        }

        [Fact]
        public void Reader_RejectsBrokenBuffers_WithFormatException()
        {
            var b = new FlatBufferBuilder();
            int s = b.CreateString("abc");
            b.StartTable(1);
            b.AddOffset(0, s);
            int root = b.EndTable();
            b.Finish(root);
            byte[] good = b.ToArray();
            Assert.Equal("abc", new FlatBufferReader(good).Root().GetString(0));

            // Root offset beyond the end.
            var bad = (byte[])good.Clone();
            BinaryPrimitives.WriteUInt32LittleEndian(bad, (uint)bad.Length + 4);
            Assert.Throws<FlatBufferFormatException>(() => new FlatBufferReader(bad).Root());
            // Too short.
            Assert.Throws<FlatBufferFormatException>(() => new FlatBufferReader(new byte[3]).Root());
            // The string was created first, so it ends the buffer: every truncation must fail cleanly.
            for (int len = 0; len < good.Length; len++)
            {
                var cut = good.AsSpan(0, len).ToArray();
                Assert.Throws<FlatBufferFormatException>(() => new FlatBufferReader(cut).Root().GetString(0));
            }
        }
    }
}
