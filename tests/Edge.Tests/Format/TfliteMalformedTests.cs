using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Edge.Converter.FlatBuffers;
using Edge.Converter.Tflite;
using Xunit;

namespace Edge.Tests.Format
{
    /// <summary>
    /// Malformed .tflite input must raise <see cref="TfliteFormatException"/> and nothing else (no IndexOutOfRange,
    /// no OverflowException, no OutOfMemory, no hang).
    /// </summary>
    public class TfliteMalformedTests
    {
        public static IEnumerable<object[]> Models() => TfliteReaderTests.Models();

        private static byte[] Load(string caseName) => File.ReadAllBytes(FormatTestEnvironment.ModelPath(caseName));

        /// <summary>Reads; returns true if accepted, false if rejected with TfliteFormatException; fails on anything else.</summary>
        private static bool TryRead(byte[] bytes, string what)
        {
            try
            {
                TfliteReader.Read(bytes);
                return true;
            }
            catch (TfliteFormatException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message), what);
                return false;
            }
            catch (Exception e)
            {
                Assert.Fail($"{what}: {e.GetType().Name} instead of TfliteFormatException: {e.Message}\n{e.StackTrace}");
                return false;
            }
        }

        /// <summary>Byte ranges of buffer data (weights): flips there are legal, so most flips are aimed elsewhere.</summary>
        private static bool[] DataMask(byte[] file)
        {
            var mask = new bool[file.Length];
            var buffers = new FlatBufferReader(file).Root().GetVector(4, 4);
            for (int i = 0; i < buffers.Length; i++)
            {
                var d = buffers.GetTable(i).GetVector(0, 1);
                for (int k = 0; k < d.Length; k++) mask[d.Position + k] = true;
            }
            return mask;
        }

        [ConformanceTheory]
        [MemberData(nameof(Models))]
        public void Truncation_AtManyLengths_IsRejected(string caseName)
        {
            byte[] file = Load(caseName);
            Assert.True(TryRead(file, caseName + " intact"));
            var lengths = new SortedSet<int>();
            if (file.Length <= 20000)
            {
                for (int n = 0; n < file.Length; n++) lengths.Add(n);
            }
            else
            {
                for (int n = 0; n < 1024; n++) lengths.Add(n);
                for (int n = file.Length - 1024; n < file.Length; n++) lengths.Add(n);
                for (int k = 0; k < 300; k++) lengths.Add((int)((long)file.Length * k / 300));
            }
            foreach (int n in lengths)
            {
                byte[] cut = file.AsSpan(0, n).ToArray();
                Assert.False(TryRead(cut, $"{caseName} truncated to {n} of {file.Length}"), $"{caseName} truncated to {n} of {file.Length} bytes was accepted");
            }
        }

        [ConformanceTheory]
        [MemberData(nameof(Models))]
        public void BitFlips_RaiseOnlyTfliteFormatException(string caseName)
        {
            byte[] file = Load(caseName);
            bool[] data = DataMask(file);
            int[] structure = Enumerable.Range(0, file.Length).Where(i => !data[i]).ToArray();
            var rnd = new Random(caseName.Aggregate(17, (h, c) => h * 31 + c)); // stable seed (string.GetHashCode is randomised)
            int iterations = file.Length <= 20000 ? 1500 : 400;
            int rejected = 0;
            for (int it = 0; it < iterations; it++)
            {
                byte[] m = (byte[])file.Clone();
                int flips = 1 + rnd.Next(3);
                var where = new List<int>();
                for (int f = 0; f < flips; f++)
                {
                    int pos = rnd.Next(10) == 0 ? rnd.Next(m.Length) : structure[rnd.Next(structure.Length)];
                    m[pos] ^= (byte)(1 << rnd.Next(8));
                    where.Add(pos);
                }
                if (!TryRead(m, $"{caseName} bits flipped at {string.Join(",", where)}")) rejected++;
            }
            Assert.True(rejected > 0, $"{caseName}: no bit-flipped file was rejected");
        }

        [ConformanceTheory]
        [MemberData(nameof(Models))]
        public void WordCorruption_RaisesOnlyTfliteFormatException(string caseName)
        {
            byte[] file = Load(caseName);
            bool[] data = DataMask(file);
            int[] words = Enumerable.Range(0, file.Length / 4).Select(i => i * 4).Where(i => !data[i]).ToArray();
            uint[] nasty = { 0, 1, 2, 3, 4, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFC, 0x10000, 0xFFFF, (uint)file.Length, (uint)file.Length - 4 };
            var rnd = new Random(99);
            int rejected = 0;
            int iterations = file.Length <= 20000 ? 1000 : 300;
            for (int it = 0; it < iterations; it++)
            {
                byte[] m = (byte[])file.Clone();
                int pos = words[rnd.Next(words.Length)];
                uint v = rnd.Next(3) == 0 ? (uint)rnd.Next() : nasty[rnd.Next(nasty.Length)];
                BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(pos), v);
                if (!TryRead(m, $"{caseName} word at {pos} = 0x{v:X8}")) rejected++;
            }
            Assert.True(rejected > 0);
        }

        [Fact]
        public void Garbage_And_TinyFiles_AreRejected()
        {
            Assert.False(TryRead(Array.Empty<byte>(), "empty"));
            Assert.False(TryRead(new byte[7], "7 bytes"));
            Assert.False(TryRead(new byte[64], "zeros"));
            var rnd = new Random(7);
            int rejected = 0;
            for (int i = 0; i < 2000; i++)
            {
                var b = new byte[rnd.Next(8, 600)];
                rnd.NextBytes(b);
                if (i % 2 == 0) { b[4] = (byte)'T'; b[5] = (byte)'F'; b[6] = (byte)'L'; b[7] = (byte)'3'; }
                if (i % 4 == 0) BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)rnd.Next(8, b.Length) & ~3u);
                if (!TryRead(b, $"garbage #{i}")) rejected++;
            }
            Assert.True(rejected > 1900, $"only {rejected} of 2000 garbage buffers rejected");
        }

        [ConformanceFact]
        public void TargetedCorruptions_AreRejectedWithClearMessages()
        {
            byte[] file = Load("hello_world_int8");
            var root = new FlatBufferReader(file).Root();

            void Expect(string what, Action<byte[]> corrupt, string messagePart)
            {
                byte[] m = (byte[])file.Clone();
                corrupt(m);
                var e = Assert.Throws<TfliteFormatException>(() => TfliteReader.Read(m));
                Assert.Contains(messagePart, e.Message, StringComparison.OrdinalIgnoreCase);
            }

            Expect("identifier", m => m[4] = (byte)'X', "identifier");
            Expect("schema version", m => BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(root.FieldPosition(0, 4, 4)), 2), "version");
            Expect("root offset", m => BinaryPrimitives.WriteUInt32LittleEndian(m, (uint)file.Length), "outside");

            var sg = root.GetVector(2, 4).GetTable(0);
            var tensor0 = sg.GetVector(0, 4).GetTable(0);
            Expect("tensor buffer index", m => BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(tensor0.FieldPosition(2, 4, 4)), 9999), "buffer index");
            var op0Inputs = sg.GetVector(3, 4).GetTable(0).GetVector(1, 4);
            Expect("op input index", m => BinaryPrimitives.WriteInt32LittleEndian(m.AsSpan(op0Inputs.Position), 9999), "tensor index");
            Expect("op input index -2", m => BinaryPrimitives.WriteInt32LittleEndian(m.AsSpan(op0Inputs.Position), -2), "tensor index");
            var sgInputs = sg.GetVector(1, 4);
            Expect("model input -1", m => BinaryPrimitives.WriteInt32LittleEndian(m.AsSpan(sgInputs.Position), -1), "tensor index");
            var shape0 = tensor0.GetVector(0, 4);
            Expect("negative dim", m => BinaryPrimitives.WriteInt32LittleEndian(m.AsSpan(shape0.Position), -5), "negative dimension");
            Expect("huge shape length", m => BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(shape0.Position - 4), 0x40000000), "outside");
            Expect("tensor vtable", m => BinaryPrimitives.WriteInt32LittleEndian(m.AsSpan(tensor0.Position), int.MinValue), "vtable");
        }

        [Fact]
        public void SharedReferences_CannotAmplifyWork()
        {
            // 20000 tensors all pointing at one tensor table whose shape vector has 50000 entries: reading it naively
            // would materialise 10^9 ints. The reader must give up with TfliteFormatException, quickly.
            var b = new FlatBufferBuilder(1 << 20);
            int shape = b.CreateVector(new int[50000]);
            int name = b.CreateString("t");
            b.StartTable(4);
            b.AddOffset(0, shape);
            b.AddOffset(3, name);
            int tensor = b.EndTable();
            int tensors = b.CreateOffsetVector(Enumerable.Repeat(tensor, 20000).ToArray());
            b.StartTable(4);
            b.AddOffset(0, tensors);
            int sg = b.EndTable();
            int sgs = b.CreateOffsetVector(new[] { sg });
            b.StartTable(1);
            int buffer0 = b.EndTable();
            int buffers = b.CreateOffsetVector(new[] { buffer0 });
            b.StartTable(5);
            b.AddUint(0, 3, 0);
            b.AddOffset(2, sgs);
            b.AddOffset(4, buffers);
            int model = b.EndTable();
            b.Finish(model, "TFL3");
            byte[] file = b.ToArray();

            var sw = Stopwatch.StartNew();
            var e = Assert.Throws<TfliteFormatException>(() => TfliteReader.Read(file));
            Assert.Contains("budget", e.Message);
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"took {sw.Elapsed}");
        }

        [Fact]
        public void MissingFile_RaisesTfliteFormatException()
        {
            string path = Path.Combine(Path.GetTempPath(), "does-not-exist-" + Guid.NewGuid().ToString("N") + ".tflite");
            var e = Assert.Throws<TfliteFormatException>(() => TfliteReader.ReadFile(path));
            Assert.Contains(path, e.Message);
        }
    }
}
