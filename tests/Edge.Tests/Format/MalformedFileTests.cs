using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Threading.Tasks;
using Edge.Converter.FlatBuffers;
using Edge.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Tests.Format
{
    /// <summary>
    /// The verifier (<see cref="EdgeModel.Load"/>) against malformed files: truncations, bit flips and targeted
    /// corruptions of real converted models and of a small IR-built model. A malformed file must raise exactly
    /// <see cref="EdgeFormatException"/> (with a non-empty Field and an Offset inside the file) — never another
    /// exception, a crash or a hang. A file the verifier accepts must run one Invoke() without any exception.
    /// </summary>
    public class MalformedFileTests
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
        /// <summary>Loaded models with a larger arena are not invoked (a flipped arena_bytes can ask for up to 2 GiB).</summary>
        private const int MaxInvokeArenaBytes = 64 << 20;

        private readonly ITestOutputHelper _out;

        public MalformedFileTests(ITestOutputHelper output) { _out = output; }

        public static readonly string[] RealModels = { "hello_world_int8", "kws_ref_model", "person_detect" };

        // =====================================================================================================
        // Attempt: load (and maybe invoke) on a worker with a time bound; classify the outcome.
        // =====================================================================================================

        private enum Kind { Loaded, Rejected, LoadCrash, InvokeCrash, Hang }

        private sealed class Outcome
        {
            public Kind Kind;
            public EdgeFormatException Error;
            public Exception Crash;
            public bool Invoked;
            public bool InvokeSkippedSameKernels;
            public bool InvokeSkippedBigArena;
        }

        /// <summary>
        /// Loads <paramref name="data"/> on a worker thread. When it loads and <paramref name="invoke"/> is set, runs one
        /// Invoke() on a zeroed arena — unless <paramref name="pristineSignature"/> is given and the loaded model's
        /// kernel state equals the unmodified model's (then Invoke would execute exactly the unmodified run, which
        /// the caller performs once).
        /// </summary>
        private static Outcome Attempt(byte[] data, bool invoke, string pristineSignature = null)
        {
            var task = Task.Run(() =>
            {
                var o = new Outcome();
                EdgeModel m;
                try { m = EdgeModel.Load(data); }
                catch (EdgeFormatException e) { o.Kind = Kind.Rejected; o.Error = e; return o; }
                catch (Exception e) { o.Kind = Kind.LoadCrash; o.Crash = e; return o; }
                o.Kind = Kind.Loaded;
                if (!invoke) return o;
                if (m.ArenaBytes > MaxInvokeArenaBytes) { o.InvokeSkippedBigArena = true; return o; }
                if (pristineSignature != null && KernelSignature(m) == pristineSignature) { o.InvokeSkippedSameKernels = true; return o; }
                try
                {
                    new Interpreter(m, new byte[m.ArenaBytes]).Invoke();
                    o.Invoked = true;
                }
                catch (Exception e) { o.Kind = Kind.InvokeCrash; o.Crash = e; }
                return o;
            });
            if (!task.Wait(Timeout)) return new Outcome { Kind = Kind.Hang };
            return task.Result;
        }

        /// <summary>Counts and failure records of a batch of attempts.</summary>
        private sealed class Tally
        {
            public int Loaded, Rejected, Invoked, SameKernels, BigArena;
            public readonly Dictionary<string, int> RejectedBy = new(StringComparer.Ordinal);
            public readonly List<string> Failures = new();
            private readonly Dictionary<string, int> _failureKinds = new(StringComparer.Ordinal);

            public void Fail(string key, string detail)
            {
                _failureKinds.TryGetValue(key, out int n);
                _failureKinds[key] = n + 1;
                if (n < 3) Failures.Add(detail);   // keep the first few inputs of each distinct failure
            }

            public int FailureCount => _failureKinds.Values.Sum();

            public string FailureSummary()
            {
                var sb = new StringBuilder();
                sb.AppendLine($"{FailureCount} failing input(s), {_failureKinds.Count} distinct:");
                foreach (var kv in _failureKinds) sb.AppendLine($"  x{kv.Value}: {kv.Key}");
                sb.AppendLine("first inputs:");
                foreach (var f in Failures) sb.AppendLine("  " + f);
                return sb.ToString();
            }
        }

        /// <summary>Records one outcome; <paramref name="mustReject"/> makes a successful load a failure.</summary>
        private static void Record(Tally t, Outcome o, byte[] data, string label, bool mustReject)
        {
            switch (o.Kind)
            {
                case Kind.Loaded:
                    t.Loaded++;
                    if (o.Invoked) t.Invoked++;
                    if (o.InvokeSkippedSameKernels) t.SameKernels++;
                    if (o.InvokeSkippedBigArena) t.BigArena++;
                    if (mustReject) t.Fail("malformed file was accepted", $"{label}: EdgeModel.Load accepted it");
                    break;
                case Kind.Rejected:
                    t.Rejected++;
                    string field = o.Error.Field ?? "";
                    string key = System.Text.RegularExpressions.Regex.Replace(field, @"\[\d+\]", "[]");
                    t.RejectedBy.TryGetValue(key, out int c);
                    t.RejectedBy[key] = c + 1;
                    if (field.Length == 0)
                        t.Fail("EdgeFormatException with empty Field", $"{label}: {o.Error.Message}");
                    if (o.Error.Offset < 0 || o.Error.Offset > data.Length)
                        t.Fail($"EdgeFormatException.Offset outside the file (field {key})",
                            $"{label}: Offset {o.Error.Offset}, file {data.Length} bytes: {o.Error.Message}");
                    break;
                case Kind.LoadCrash:
                    t.Fail($"Load threw {o.Crash.GetType().Name} at {StackTop(o.Crash)}", $"{label}: {Describe(o.Crash)}");
                    break;
                case Kind.InvokeCrash:
                    t.Fail($"Invoke (after a successful Load) threw {o.Crash.GetType().Name} at {StackTop(o.Crash)}", $"{label}: {Describe(o.Crash)}");
                    break;
                case Kind.Hang:
                    t.Fail("hang (no result within 5 s)", $"{label}: no result within {Timeout.TotalSeconds} s");
                    break;
            }
        }

        private static string StackTop(Exception e)
        {
            string st = e.StackTrace ?? "";
            var lines = st.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).Take(1);
            return string.Join(" | ", lines);
        }

        private static string Describe(Exception e)
        {
            string st = e.StackTrace ?? "";
            var lines = st.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).Take(4);
            return $"{e.GetType().FullName}: {e.Message} [{string.Join(" | ", lines)}]";
        }

        private void Print(string what, Tally t)
        {
            _out.WriteLine($"{what}: {t.Loaded + t.Rejected + t.FailureCount} attempts, loaded {t.Loaded}, rejected {t.Rejected}, failures {t.FailureCount}");
            if (t.Loaded > 0)
                _out.WriteLine($"  loaded: invoked {t.Invoked}, kernel state identical to the unmodified model (its Invoke ran once) {t.SameKernels}, arena > 64 MiB not invoked {t.BigArena}");
            foreach (var kv in t.RejectedBy.OrderByDescending(kv => kv.Value).Take(12))
                _out.WriteLine($"  rejected at {kv.Key}: {kv.Value}");
        }

        // =====================================================================================================
        // Positive control
        // =====================================================================================================

        [Fact]
        public void IrModel_LoadsAndRuns()
        {
            byte[] b = TestModels.SmallModelBytes();
            var m = EdgeModel.Load(b);
            Assert.Equal(3, m.Ops.Length);
            Assert.Equal(new[] { OpType.Conv2D, OpType.Reshape, OpType.FullyConnected }, m.Ops.Select(o => o.Type).ToArray());
            Assert.Equal(new[] { 1, 4 }, m.Output(0).Shape);
            new Interpreter(m, new byte[m.ArenaBytes]).Invoke();
        }

        // =====================================================================================================
        // Truncation
        // =====================================================================================================

        [Fact]
        public void Truncation_IrModel() => RunTruncation(TestModels.IrSmall, small: true);

        [SharedDataTheory]
        [InlineData("hello_world_int8", true)]
        [InlineData("kws_ref_model", false)]
        [InlineData("person_detect", false)]
        public void Truncation_RealModel(string name, bool small) => RunTruncation(name, small);

        private void RunTruncation(string name, bool small)
        {
            byte[] full = TestModels.EdgeBytes(name);
            Assert.Equal(Kind.Loaded, Attempt(full, invoke: false).Kind);
            // The constants blob is the last object in the file (only alignment padding may follow it): a file cut
            // before its end must be rejected; one cut inside the trailing padding may load.
            var constants = new FlatBufferReader(full).Root().GetVector(6, 1);
            int referencedEnd = constants.Position + constants.Length;
            Assert.True(full.Length - referencedEnd < 16, $"{full.Length - referencedEnd} bytes follow the constants blob");

            var lengths = new SortedSet<int>();
            for (int n = 0; n <= 64 && n < full.Length; n++) lengths.Add(n);
            if (small)
            {
                for (int n = 65; n < full.Length; n += 7) lengths.Add(n);
            }
            else
            {
                var rng = new Random(1234 + full.Length);
                int target = lengths.Count + 300;
                while (lengths.Count < target) lengths.Add(rng.Next(65, full.Length));
            }
            foreach (int n in new[] { 1, 2, 3, 4, 8, 15, 16, 17 }) if (full.Length - n > 0) lengths.Add(full.Length - n);

            var t = new Tally();
            int mustReject = 0;
            foreach (int n in lengths)
            {
                byte[] cut = full.AsSpan(0, n).ToArray();
                bool cutsData = n < referencedEnd;
                if (cutsData) mustReject++;
                Record(t, Attempt(cut, invoke: false), cut, $"{name} truncated to {n} of {full.Length} bytes (referenced data ends at {referencedEnd})", mustReject: cutsData);
            }
            Print($"{name} truncation ({lengths.Count} lengths of {full.Length}; {mustReject} cut referenced data, the rest only trailing padding)", t);
            Assert.True(t.FailureCount == 0, t.FailureSummary());
            Assert.True(t.Rejected >= mustReject, $"{t.Rejected} rejected, {mustReject} truncations cut referenced data");
        }

        // =====================================================================================================
        // Bit flips
        // =====================================================================================================

        [Fact]
        public void BitFlips_IrModel() => RunBitFlips(TestModels.IrSmall, structureFlips: 3000, constantFlips: 300);

        [SharedDataTheory]
        [InlineData("hello_world_int8", 3000, 300)]
        [InlineData("kws_ref_model", 2000, 60)]
        [InlineData("person_detect", 1200, 30)]
        public void BitFlips_RealModel(string name, int structureFlips, int constantFlips) => RunBitFlips(name, structureFlips, constantFlips);

        /// <summary>
        /// Every bit of the first 256 bytes, then seeded random (byte, bit) positions: <paramref name="structureFlips"/>
        /// outside the constants blob (tables, vectors, strings, vtables, padding) and <paramref name="constantFlips"/>
        /// inside it (weights, folded biases). A flip may load (it hit padding, a name, or a value that stays valid);
        /// then one Invoke() must run cleanly.
        /// </summary>
        private void RunBitFlips(string name, int structureFlips, int constantFlips)
        {
            byte[] pristine = TestModels.EdgeBytes(name);
            var root = new FlatBufferReader(pristine).Root();
            var constants = root.GetVector(6, 1);
            int cStart = constants.Position, cEnd = constants.Position + constants.Length;

            // Reference run of the unmodified model (flips that leave every kernel's state identical execute exactly this).
            var pm = EdgeModel.Load(pristine);
            new Interpreter(pm, new byte[pm.ArenaBytes]).Invoke();
            string pristineSig = KernelSignature(pm);

            var positions = new List<(int Byte, int Bit, bool InConstants)>();
            for (int i = 0; i < Math.Min(256, pristine.Length); i++)
                for (int bit = 0; bit < 8; bit++) positions.Add((i, bit, i >= cStart && i < cEnd));
            var rng = new Random(20240 + pristine.Length);
            int structureBytes = pristine.Length - constants.Length;
            for (int k = 0; k < structureFlips; k++)
            {
                int r = rng.Next(structureBytes);
                int pos = r < cStart ? r : r + constants.Length;
                positions.Add((pos, rng.Next(8), false));
            }
            if (constants.Length > 0)
                for (int k = 0; k < constantFlips; k++) positions.Add((cStart + rng.Next(constants.Length), rng.Next(8), true));

            var work = (byte[])pristine.Clone();
            var tAll = new Tally();
            var tConst = new Tally();
            foreach (var (pos, bit, inConstants) in positions)
            {
                work[pos] ^= (byte)(1 << bit);
                // Flips inside the constants blob change what the kernels read, so those always invoke.
                var o = Attempt(work, invoke: true, inConstants ? null : pristineSig);
                string label = $"{name}: flip byte {pos} (0x{pos:X}) bit {bit} ({(inConstants ? "constants" : "structure")}), file {pristine.Length} bytes";
                Record(inConstants ? tConst : tAll, o, work, label, mustReject: false);
                if (o.Kind == Kind.Hang) work = (byte[])pristine.Clone();   // the hung worker may still hold the array
                else work[pos] ^= (byte)(1 << bit);
            }
            Print($"{name} bit flips outside the constants blob ({pristine.Length - constants.Length} bytes; all bits of bytes 0..255 plus {structureFlips} random)", tAll);
            Print($"{name} bit flips inside the constants blob ({constants.Length} bytes)", tConst);
            Assert.True(tAll.FailureCount + tConst.FailureCount == 0, tAll.FailureSummary() + tConst.FailureSummary());
            Assert.True(tAll.Rejected > 0, "no structure flip was rejected: the verifier checks nothing?");
        }

        /// <summary>
        /// Everything Invoke() depends on besides the arena contents and the constant bytes: every kernel's fields
        /// (recursively; TensorInfo without its name and quantization, which no Eval reads), the model's arena size
        /// and its input/output indices.
        /// </summary>
        private static string KernelSignature(EdgeModel m)
        {
            var sb = new StringBuilder();
            sb.Append("arena=").Append(m.ArenaBytes).Append(";in=").Append(string.Join(",", m.Inputs)).Append(";out=").Append(string.Join(",", m.Outputs)).Append(';');
            var visiting = new HashSet<object>(ReferenceEqualityComparer.Instance);
            foreach (var op in m.Ops) { AppendValue(sb, op, m, visiting, 0); sb.Append('\n'); }
            return sb.ToString();
        }

        private static void AppendValue(StringBuilder sb, object v, EdgeModel m, HashSet<object> visiting, int depth)
        {
            if (v == null) { sb.Append("null"); return; }
            if (depth > 12) { sb.Append("<deep>"); return; }
            switch (v)
            {
                case float f: sb.Append(BitConverter.SingleToInt32Bits(f).ToString(CultureInfo.InvariantCulture)); return;
                case double d: sb.Append(BitConverter.DoubleToInt64Bits(d).ToString(CultureInfo.InvariantCulture)); return;
                case string s: sb.Append('"').Append(s).Append('"'); return;
                case EdgeModel: sb.Append("<model>"); return;
                case OperatorDef: sb.Append("<opdef>"); return;
                case Delegate: sb.Append("<delegate>"); return;
            }
            Type type = v.GetType();
            if (type.IsPrimitive || type.IsEnum) { sb.Append(Convert.ToString(v, CultureInfo.InvariantCulture)); return; }
            if (ReferenceEquals(v, m.Data)) { sb.Append("<file>"); return; }
            if (!type.IsValueType && !visiting.Add(v)) { sb.Append("<cycle>"); return; }
            try
            {
                if (v is Array a)
                {
                    sb.Append('[');
                    foreach (object e in a) { AppendValue(sb, e, m, visiting, depth + 1); sb.Append(','); }
                    sb.Append(']');
                    return;
                }
                sb.Append(type.Name).Append('{');
                for (Type t = type; t != null && t != typeof(object); t = t.BaseType)
                    foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    {
                        // A tensor's name and quantization are informational once Prepare has folded the
                        // quantization into each kernel's own fields: no Eval reads them.
                        if (t == typeof(TensorInfo) && f.Name is nameof(TensorInfo.Name) or nameof(TensorInfo.Scales)
                            or nameof(TensorInfo.ZeroPoints) or nameof(TensorInfo.QuantizedDimension)) continue;
                        sb.Append(f.Name).Append('=');
                        AppendValue(sb, f.GetValue(v), m, visiting, depth + 1);
                        sb.Append(';');
                    }
                sb.Append('}');
            }
            finally
            {
                if (!type.IsValueType) visiting.Remove(v);
            }
        }

        // =====================================================================================================
        // Targeted corruptions
        // =====================================================================================================

        /// <summary>A located .edge file: the bytes plus a checked FlatBuffers view (independent of the runtime).</summary>
        private sealed class EdgeFile
        {
            public readonly byte[] B;
            public readonly FlatBufferReader R;
            public readonly FlatTable Root;

            public EdgeFile(byte[] b)
            {
                B = b;
                R = new FlatBufferReader(b);
                Root = R.Root();
            }

            // Model slots (runtime/Format/edge.fbs).
            public FlatVector Tensors => Root.GetVector(1, 4);
            public FlatVector Operators => Root.GetVector(2, 4);
            public FlatVector Buffers => Root.GetVector(5, 8);
            public FlatVector Constants => Root.GetVector(6, 1);
            public int ArenaBytes => Root.GetInt(7);
            public FlatTable Metadata => Root.GetTable(8);

            public FlatTable Tensor(int i) => Tensors.GetTable(i);
            public FlatTable Op(int i) => Operators.GetTable(i);
            public int OpType(int i) => Op(i).GetUshort(0);
            public int OptionsType(int i) => Op(i).GetByte(3);

            /// <summary>Position of a field's inline data (asserting it is present).</summary>
            public int Field(FlatTable t, int slot, int size)
            {
                int p = t.FieldPosition(slot, size, size);
                Assert.True(p != 0, $"field {slot} of the table at {t.Position} is absent (default value); cannot patch it");
                return p;
            }

            /// <summary>Position of the length prefix of a vector field.</summary>
            public int VectorHeader(FlatTable t, int slot, int elemSize)
            {
                var v = t.GetVector(slot, elemSize);
                Assert.False(v.IsNull, $"vector field {slot} of the table at {t.Position} is absent");
                return v.Position - 4;
            }

            public int ReadInt(int pos) => BinaryPrimitives.ReadInt32LittleEndian(B.AsSpan(pos));
            public void WriteInt(int pos, int v) => BinaryPrimitives.WriteInt32LittleEndian(B.AsSpan(pos), v);
            public void WriteUInt(int pos, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(B.AsSpan(pos), v);
            public void WriteUShort(int pos, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(B.AsSpan(pos), v);

            /// <summary>Makes the uoffset stored at <paramref name="at"/> point to <paramref name="target"/> (may wrap: uoffsets are unsigned).</summary>
            public void PointTo(int at, int target) => WriteUInt(at, unchecked((uint)(target - at)));

            /// <summary>First tensor matching the predicate.</summary>
            public int FindTensor(Func<int, FlatTable, bool> pred, string what)
            {
                var v = Tensors;
                for (int i = 0; i < v.Length; i++) if (pred(i, v.GetTable(i))) return i;
                Assert.Fail($"no tensor that {what}");
                return -1;
            }

            public int FindOp(Func<int, FlatTable, bool> pred, string what)
            {
                var v = Operators;
                for (int i = 0; i < v.Length; i++) if (pred(i, v.GetTable(i))) return i;
                Assert.Fail($"no operator that {what}");
                return -1;
            }

            public bool IsActivation(FlatTable t) => t.GetInt(4, -1) < 0;
            public int SizeBytes(FlatTable t) => t.GetInt(6);
            public int Rank(FlatTable t) => t.GetVector(2, 4).Length;
        }

        /// <summary>What a corruption must produce: Field contains <see cref="Field"/>, Message contains each of <see cref="Message"/>.</summary>
        private sealed record Expect(string Field, params string[] Message);

        private static readonly Dictionary<string, Func<EdgeFile, Expect>> Corruptions = new(StringComparer.Ordinal)
        {
            // ---- header, root, vtables ----
            ["root_offset_outside_file"] = f => { f.WriteUInt(0, (uint)f.B.Length + 64); return new Expect("root"); },
            ["root_offset_huge"] = f => { f.WriteUInt(0, 0xFFFFFFF0u); return new Expect("root"); },
            ["root_offset_misaligned"] = f => { f.WriteUInt(0, (uint)f.Root.Position + 2); return new Expect("model", "aligned"); },
            ["vtable_offset_before_file"] = f => { f.WriteInt(f.Root.Position, f.Root.Position + 4096); return new Expect("model", "vtable"); },
            ["vtable_offset_past_end"] = f => { f.WriteInt(f.Root.Position, f.Root.Position - f.B.Length - 2); return new Expect("model", "vtable"); },
            // soffset 0: the table is its own vtable (a loop); its first ushort (0) is not a valid vtable size.
            ["vtable_is_table_itself"] = f => { f.WriteInt(f.Root.Position, 0); return new Expect("model", "vtable"); },
            ["vtable_size_odd"] = f =>
            {
                int vt = f.Root.Position - f.ReadInt(f.Root.Position);
                f.WriteUShort(vt, 0x13);
                return new Expect("model", "vtable");
            },
            // Sizes are 16-bit: these two can only run past the end of a file whose tables lie in its last 64 KiB.
            ["vtable_size_past_end"] = f =>
            {
                int vt = f.Root.Position - f.ReadInt(f.Root.Position);
                Assert.True(vt + 0xFFFE > f.B.Length, "file too large for this corruption");
                f.WriteUShort(vt, 0xFFFE);
                return new Expect("model", "vtable");
            },
            ["table_size_past_end"] = f =>
            {
                int tensor0 = f.Tensor(0).Position;
                Assert.True(tensor0 + 0xFFFC > f.B.Length, "file too large for this corruption");
                int tvt = tensor0 - f.ReadInt(tensor0);
                f.WriteUShort(tvt + 2, 0xFFFC);
                return new Expect("tensors[0]", "table");
            },
            ["file_identifier_wrong"] = f => { f.B[4] = (byte)'T'; f.B[5] = (byte)'F'; f.B[6] = (byte)'L'; f.B[7] = (byte)'3'; return new Expect("file_identifier", "EDGE"); },
            ["format_version_2_0"] = f => { f.WriteUInt(f.Field(f.Root, 0, 4), 2u << 16); return new Expect("format_version", "version", "2.0"); },
            ["format_version_0_1"] = f => { f.WriteUInt(f.Field(f.Root, 0, 4), 1u); return new Expect("format_version", "version", "0.1"); },
            ["arena_bytes_negative"] = f => { f.WriteUInt(f.Field(f.Root, 7, 4), 0x80000000u); return new Expect("arena_bytes"); },

            // ---- vector lengths ----
            ["tensors_vector_length_huge"] = f => { f.WriteInt(f.VectorHeader(f.Root, 1, 4), 0x7FFFFFFF); return new Expect("model.tensors", "past the end"); },
            ["tensors_vector_length_just_past_end"] = f =>
            {
                int h = f.VectorHeader(f.Root, 1, 4);
                f.WriteInt(h, (f.B.Length - h - 4) / 4 + 1);
                return new Expect("model.tensors", "past the end");
            },
            ["operators_vector_length_huge"] = f => { f.WriteInt(f.VectorHeader(f.Root, 2, 4), 0x7FFFFFFF); return new Expect("model.operators", "past the end"); },
            ["constants_vector_length_huge"] = f => { f.WriteInt(f.VectorHeader(f.Root, 6, 1), 0x7FFFFFFF); return new Expect("model.constants", "past the end"); },
            ["constants_vector_length_just_past_end"] = f =>
            {
                int h = f.VectorHeader(f.Root, 6, 1);
                f.WriteInt(h, f.B.Length - h - 4 + 1);
                return new Expect("model.constants", "past the end");
            },
            ["buffers_vector_length_just_past_end"] = f =>
            {
                int h = f.VectorHeader(f.Root, 5, 8);
                f.WriteInt(h, (f.B.Length - h - 4) / 8 + 1);
                return new Expect("model.buffers", "past the end");
            },
            ["shape_vector_length_huge"] = f =>
            {
                int k = f.FindTensor((i, t) => f.Rank(t) > 0, "has a shape");
                f.WriteInt(f.VectorHeader(f.Tensor(k), 2, 4), 0x7FFFFFFF);
                return new Expect($"tensors[{k}].shape", "past the end");
            },
            ["op_inputs_vector_length_just_past_end"] = f =>
            {
                int h = f.VectorHeader(f.Op(0), 1, 4);
                f.WriteInt(h, (f.B.Length - h - 4) / 4 + 1);
                return new Expect("operators[0].inputs", "past the end");
            },
            ["string_length_huge"] = f =>
            {
                var md = f.Metadata;
                int s = f.R.ReadUOffset(f.Field(md, 0, 4));
                f.WriteInt(s, 0x7FFFFFFF);
                return new Expect("metadata.source_format");
            },
            ["string_not_terminated"] = f =>
            {
                var md = f.Metadata;
                int s = f.R.ReadUOffset(f.Field(md, 0, 4));
                f.B[s + 4 + f.ReadInt(s)] = (byte)'x';
                return new Expect("metadata.source_format", "terminated");
            },

            // ---- offsets forming loops (uoffsets are unsigned and forward: a back reference wraps outside the file) ----
            ["child_offset_points_back_to_parent_table"] = f =>
            {
                int k = f.FindTensor((i, t) => t.FieldPosition(3, 4, 4) != 0, "has quantization");
                var t = f.Tensor(k);
                f.PointTo(f.Field(t, 3, 4), t.Position);
                return new Expect($"tensors[{k}].quantization", "outside");
            },
            ["model_metadata_points_to_root"] = f => { f.PointTo(f.Field(f.Root, 8, 4), f.Root.Position); return new Expect("model.metadata", "outside"); },
            ["vector_element_points_to_its_vector"] = f =>
            {
                var v = f.Operators;
                f.PointTo(v.Position, v.Position - 4);
                return new Expect("operators[0]", "outside");
            },
            ["vector_element_points_to_itself"] = f =>
            {
                var v = f.Tensors;
                f.PointTo(v.Position, v.Position);
                return new Expect("tensors[0]", "outside");
            },
            ["vector_field_points_to_own_field"] = f =>
            {
                int p = f.Field(f.Root, 1, 4);
                f.PointTo(p, p);
                return new Expect("model.tensors", "outside");
            },

            // ---- tensors ----
            ["arena_offset_past_arena_bytes"] = f =>
            {
                int k = f.FindTensor((i, t) => f.IsActivation(t) && f.SizeBytes(t) > 0 && t.FieldPosition(5, 4, 4) != 0, "is a non-empty activation with an arena_offset");
                f.WriteInt(f.Field(f.Tensor(k), 5, 4), f.ArenaBytes);
                return new Expect($"tensors[{k}].arena_offset", "arena");
            },
            ["arena_offset_int_max"] = f =>
            {
                int k = f.FindTensor((i, t) => f.IsActivation(t) && f.SizeBytes(t) > 0 && t.FieldPosition(5, 4, 4) != 0, "is a non-empty activation with an arena_offset");
                f.WriteInt(f.Field(f.Tensor(k), 5, 4), int.MaxValue);
                return new Expect($"tensors[{k}].arena_offset", "arena");
            },
            ["arena_offset_negative"] = f =>
            {
                int k = f.FindTensor((i, t) => f.IsActivation(t) && t.FieldPosition(5, 4, 4) != 0, "is an activation with an arena_offset");
                f.WriteInt(f.Field(f.Tensor(k), 5, 4), -16);
                return new Expect($"tensors[{k}].arena_offset");
            },
            ["buffer_index_out_of_range"] = f =>
            {
                int k = f.FindTensor((i, t) => !f.IsActivation(t) && t.FieldPosition(4, 4, 4) != 0, "is a constant");
                f.WriteInt(f.Field(f.Tensor(k), 4, 4), f.Buffers.Length);
                return new Expect($"tensors[{k}].buffer", "out of range");
            },
            ["buffer_index_int_max"] = f =>
            {
                int k = f.FindTensor((i, t) => !f.IsActivation(t) && t.FieldPosition(4, 4, 4) != 0, "is a constant");
                f.WriteInt(f.Field(f.Tensor(k), 4, 4), int.MaxValue);
                return new Expect($"tensors[{k}].buffer", "out of range");
            },
            ["buffer_index_below_minus_one"] = f =>
            {
                int k = f.FindTensor((i, t) => !f.IsActivation(t) && t.FieldPosition(4, 4, 4) != 0, "is a constant");
                f.WriteInt(f.Field(f.Tensor(k), 4, 4), -2);
                return new Expect($"tensors[{k}].buffer");
            },
            ["shape_dimension_minus_one"] = f =>
            {
                int k = f.FindTensor((i, t) => f.Rank(t) > 0, "has a shape");
                f.WriteInt(f.Tensor(k).GetVector(2, 4).Position, -1);
                return new Expect($"tensors[{k}].shape", "negative");
            },
            ["shape_product_overflows"] = f =>
            {
                int k = f.FindTensor((i, t) => f.Rank(t) >= 2, "has rank >= 2");
                var v = f.Tensor(k).GetVector(2, 4);
                for (int d = 0; d < v.Length; d++) f.WriteInt(v.Position + 4 * d, 0x10000);
                return new Expect($"tensors[{k}].shape", "overflow");
            },
            ["size_bytes_not_matching_shape"] = f =>
            {
                int k = f.FindTensor((i, t) => t.FieldPosition(6, 4, 4) != 0, "has size_bytes");
                int p = f.Field(f.Tensor(k), 6, 4);
                f.WriteInt(p, f.ReadInt(p) + 1);
                return new Expect($"tensors[{k}].size_bytes", "size_bytes");
            },
            ["dtype_unknown"] = f =>
            {
                int k = f.FindTensor((i, t) => t.FieldPosition(1, 1, 1) != 0, "has an explicit dtype");
                f.B[f.Field(f.Tensor(k), 1, 1)] = 77;
                return new Expect($"tensors[{k}].dtype");
            },

            // ---- operators ----
            ["op_type_999"] = f =>
            {
                int k = f.FindOp((i, t) => t.FieldPosition(0, 2, 2) != 0, "has an explicit type");
                f.WriteUShort(f.Field(f.Op(k), 0, 2), 999);
                return new Expect($"operators[{k}].type", "999");
            },
            ["op_type_first_unknown"] = f =>
            {
                int k = f.FindOp((i, t) => t.FieldPosition(0, 2, 2) != 0, "has an explicit type");
                f.WriteUShort(f.Field(f.Op(k), 0, 2), (ushort)OpNames.Count);
                return new Expect($"operators[{k}].type");
            },
            ["options_type_200"] = f =>
            {
                int k = f.FindOp((i, t) => t.FieldPosition(3, 1, 1) != 0, "has options");
                f.B[f.Field(f.Op(k), 3, 1)] = 200;
                return new Expect($"operators[{k}].options_type", "200");
            },
            ["options_type_of_another_op"] = f =>
            {
                int k = f.FindOp((i, t) => t.FieldPosition(3, 1, 1) != 0, "has options");
                int p = f.Field(f.Op(k), 3, 1);
                f.B[p] = (byte)(f.B[p] == Edge.Runtime.OptionsType.Softmax ? Edge.Runtime.OptionsType.Pad : Edge.Runtime.OptionsType.Softmax);
                return new Expect($"operators[{k}].options_type", "options type");
            },
            ["op_input_tensor_index_out_of_range"] = f =>
            {
                int n = f.Tensors.Length;
                f.WriteInt(f.Op(0).GetVector(1, 4).Position, n);
                return new Expect("operators[0].inputs", "out of range");
            },
            ["op_input_tensor_index_minus_two"] = f =>
            {
                f.WriteInt(f.Op(0).GetVector(1, 4).Position, -2);
                return new Expect("operators[0].inputs", "out of range");
            },
            ["op_output_tensor_index_out_of_range"] = f =>
            {
                f.WriteInt(f.Op(0).GetVector(2, 4).Position, int.MaxValue);
                return new Expect("operators[0].outputs", "out of range");
            },
            ["model_input_index_out_of_range"] = f =>
            {
                f.WriteInt(f.Root.GetVector(3, 4).Position, f.Tensors.Length);
                return new Expect("model.inputs", "out of range");
            },
            ["conv_stride_zero"] = f =>
            {
                // A CONV_2D / DEPTHWISE_CONV_2D with an explicit (non-default) stride: set it to 0.
                int k = f.FindOp((i, t) => (f.OptionsType(i) == Edge.Runtime.OptionsType.Conv2D || f.OptionsType(i) == Edge.Runtime.OptionsType.DepthwiseConv2D)
                    && (t.GetTable(4).FieldPosition(0, 4, 4) != 0 || t.GetTable(4).FieldPosition(1, 4, 4) != 0), "is a convolution with an explicit stride");
                var o = f.Op(k).GetTable(4);
                int p = o.FieldPosition(0, 4, 4);
                string which = "stride_w";
                if (p == 0) { p = o.FieldPosition(1, 4, 4); which = "stride_h"; }
                f.WriteInt(p, 0);
                return new Expect($"operators[{k}]", which, "positive");
            },
            ["per_channel_multiplier_vector_too_short"] = f =>
            {
                // Conv2DOptions slot 12, DepthwiseConv2DOptions slot 13, FullyConnectedOptions slot 4: output_multiplier.
                int k = f.FindOp((i, t) => f.OptionsType(i) is Edge.Runtime.OptionsType.Conv2D or Edge.Runtime.OptionsType.DepthwiseConv2D or Edge.Runtime.OptionsType.FullyConnected,
                    "is a convolution or fully connected op");
                int slot = f.OptionsType(k) switch
                {
                    Edge.Runtime.OptionsType.Conv2D => 12,
                    Edge.Runtime.OptionsType.DepthwiseConv2D => 13,
                    _ => 4,
                };
                int h = f.VectorHeader(f.Op(k).GetTable(4), slot, 4);
                f.WriteInt(h, f.ReadInt(h) - 1);
                return new Expect($"operators[{k}]", "output_multiplier");
            },
            ["multiplier_shift_out_of_range"] = f =>
            {
                int k = f.FindOp((i, t) => f.OptionsType(i) is Edge.Runtime.OptionsType.Conv2D or Edge.Runtime.OptionsType.DepthwiseConv2D or Edge.Runtime.OptionsType.FullyConnected,
                    "is a convolution or fully connected op");
                int slot = f.OptionsType(k) switch
                {
                    Edge.Runtime.OptionsType.Conv2D => 13,
                    Edge.Runtime.OptionsType.DepthwiseConv2D => 14,
                    _ => 5,
                };
                var v = f.Op(k).GetTable(4).GetVector(slot, 4);
                f.WriteInt(v.Position, 99);
                return new Expect($"operators[{k}]", "shift");
            },

            // ---- constants alignment ----
            ["constant_buffer_offset_unaligned"] = f =>
            {
                var v = f.Buffers;
                Assert.True(v.Length > 0, "model has no constant buffers");
                int p = v.StructPosition(0);
                f.WriteUInt(p, BinaryPrimitives.ReadUInt32LittleEndian(f.B.AsSpan(p)) + 4);
                return new Expect("buffers[0].offset", "aligned");
            },
            ["constant_buffer_past_blob"] = f =>
            {
                var v = f.Buffers;
                Assert.True(v.Length > 0, "model has no constant buffers");
                int p = v.StructPosition(v.Length - 1);
                f.WriteUInt(p + 4, (uint)f.Constants.Length + 1);
                return new Expect($"buffers[{v.Length - 1}]", "outside");
            },
            ["constants_blob_unaligned"] = f =>
            {
                // Point model.constants at another (4-aligned) int vector whose data is not 16-byte aligned.
                int target = -1;
                var ts = f.Tensors;
                for (int i = 0; i < ts.Length && target < 0; i++)
                {
                    var sv = ts.GetTable(i).GetVector(2, 4);
                    if (!sv.IsNull && sv.Position % 16 != 0) target = sv.Position - 4;
                }
                Assert.True(target >= 0, "no vector with unaligned data found");
                f.PointTo(f.Field(f.Root, 6, 4), target);
                return new Expect("model.constants", "aligned");
            },
        };

        /// <summary>
        /// Corruptions that need a feature a model lacks: hello_world has no convolution; person_detect's tables lie
        /// more than 64 KiB before its end, so a 16-bit vtable/table size cannot reach past it.
        /// </summary>
        private static bool Applies(string model, string corruption) =>
            !(model == "hello_world_int8" && corruption == "conv_stride_zero")
            && !(model == "person_detect" && corruption is "vtable_size_past_end" or "table_size_past_end");

        public static IEnumerable<object[]> IrCorruptions() =>
            Corruptions.Keys.OrderBy(k => k, StringComparer.Ordinal).Select(k => new object[] { k });

        public static IEnumerable<object[]> RealCorruptions() =>
            from m in RealModels
            from k in Corruptions.Keys.OrderBy(k => k, StringComparer.Ordinal)
            where Applies(m, k)
            select new object[] { m, k };

        [Theory]
        [MemberData(nameof(IrCorruptions))]
        public void Targeted_IrModel(string corruption) => RunTargeted(TestModels.IrSmall, corruption);

        [SharedDataTheory]
        [MemberData(nameof(RealCorruptions))]
        public void Targeted_RealModel(string model, string corruption) => RunTargeted(model, corruption);

        private void RunTargeted(string model, string corruption)
        {
            var f = new EdgeFile(TestModels.EdgeBytes(model));
            Expect expect = Corruptions[corruption](f);
            var o = Attempt(f.B, invoke: true);
            string label = $"{model} with {corruption}";
            switch (o.Kind)
            {
                case Kind.Rejected: break;
                case Kind.Loaded: Assert.Fail($"{label}: EdgeModel.Load accepted the file"); break;
                case Kind.Hang: Assert.Fail($"{label}: no result within {Timeout.TotalSeconds} s (hang)"); break;
                default: Assert.Fail($"{label}: {o.Kind}: {Describe(o.Crash)}"); break;
            }
            var e = o.Error;
            _out.WriteLine($"{label}: Field={e.Field} Offset={e.Offset} Message={e.Message}");
            Assert.Contains(expect.Field, e.Field, StringComparison.Ordinal);
            foreach (string s in expect.Message) Assert.Contains(s, e.Message, StringComparison.OrdinalIgnoreCase);
            Assert.InRange(e.Offset, 0, f.B.Length - 1);
            Assert.Contains(e.Field, e.Message, StringComparison.Ordinal);
        }
    }
}
