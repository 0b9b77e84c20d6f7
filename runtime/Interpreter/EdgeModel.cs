namespace Edge.Runtime
{
    /// <summary>
    /// A loaded and verified .edge model. <see cref="Load"/> is the verifier: it checks every offset, length,
    /// index, enum value, shape product, buffer size and arena range, runs every op's Prepare (which validates
    /// shapes and options and decodes constants), and checks that the arena plan never lets two live tensors
    /// share bytes. Any problem raises <see cref="EdgeFormatException"/>; after a successful load nothing is
    /// checked again.
    /// </summary>
    public sealed class EdgeModel
    {
        /// <summary>
        /// Format version this runtime reads: major 1, up to minor 2 (1.1 added the self-test; 1.2 the audio front
        /// end's types, ops and state tensors, and the ONNX ops and requantization rule).
        /// </summary>
        public const int FormatVersionMajor = 1;
        public const int FormatVersionMinor = 2;

        /// <summary>
        /// Tensors that hold state across invokes (Model.state_tensors, 1.2): activations the plan keeps live for
        /// the whole run; the interpreter zeroes them at creation and on ResetState(). Empty when absent.
        /// </summary>
        public int[] StateTensors;

        /// <summary>Embedded self-test: file offsets of the stored input and expected output bytes (null when absent).</summary>
        public int[] SelfTestInputOffsets;
        public int[] SelfTestOutputOffsets;
        public bool HasSelfTest { get { return SelfTestInputOffsets != null; } }

        public byte[] Data;
        public int FormatVersion;
        public TensorInfo[] Tensors;
        public OpKernel[] Ops;
        public int[] Inputs;
        public int[] Outputs;
        public int ArenaBytes;
        /// <summary>Bytes of constant data (weights, biases) in the file.</summary>
        public int ConstantBytes;
        public string SourceFormat;
        public string SourceFile;
        public string SourceSha256;
        public string ConverterVersion;
        public long Macs;

        public int InputCount { get { return Inputs.Length; } }
        public int OutputCount { get { return Outputs.Length; } }
        public TensorInfo Input(int i) { return Tensors[Inputs[i]]; }
        public TensorInfo Output(int i) { return Tensors[Outputs[i]]; }

        // Schema slots (runtime/Format/edge.fbs).
        private const int ModelFormatVersion = 0, ModelTensors = 1, ModelOperators = 2, ModelInputs = 3,
            ModelOutputs = 4, ModelBuffers = 5, ModelConstants = 6, ModelArenaBytes = 7, ModelMetadata = 8, ModelSelfTest = 9, ModelStateTensors = 10;
        private const int TensorName = 0, TensorDType = 1, TensorShape = 2, TensorQuantization = 3,
            TensorBuffer = 4, TensorArenaOffset = 5, TensorSizeBytes = 6;
        private const int QuantScale = 0, QuantZeroPoint = 1, QuantDimension = 2;
        private const int OpTypeSlot = 0, OpInputs = 1, OpOutputs = 2, OpOptionsType = 3, OpOptions = 4, OpMacs = 5;
        private const int MetaSourceFormat = 0, MetaSourceFile = 1, MetaSha256 = 2, MetaConverterVersion = 3, MetaMacs = 4;

        /// <summary>Name of the kernel set the ops were prepared with ("reference" unless a provider was given).</summary>
        public string Kernels = "reference";

        /// <summary>Loads and verifies a model with the reference kernels. The array is kept (constants are read from it in place).</summary>
        public static EdgeModel Load(byte[] file)
        {
            return Load(file, null);
        }

        /// <summary>
        /// Loads and verifies a model; <paramref name="kernels"/> (may be null) may replace reference kernels by
        /// faster ones after each op's validation.
        /// </summary>
        public static EdgeModel Load(byte[] file, KernelProvider kernels)
        {
            if (file == null) throw new EdgeFormatException("file", 0, "no data");
            if (file.Length < 8) throw new EdgeFormatException("file", 0, string.Concat("file is ", file.Length.ToString(), " bytes, too short for a .edge header"));
            if (file[4] != (byte)'E' || file[5] != (byte)'D' || file[6] != (byte)'G' || file[7] != (byte)'E')
                throw new EdgeFormatException("file_identifier", 4, "not a .edge file (identifier is not \"EDGE\")");
            uint rootRel = (uint)FlatBufferView.ReadInt32(file, 0);
            if (rootRel > (uint)(file.Length - 4)) throw new EdgeFormatException("root", 0, "root table offset points outside the file");
            int root = FlatBufferView.CheckTable(file, (int)rootRel, "model");

            EdgeModel m = new EdgeModel();
            m.Data = file;
            int version = FlatBufferView.GetInt(file, root, ModelFormatVersion, 0, "model", "format_version");
            int versionPos = FlatBufferView.FieldPos(file, root, ModelFormatVersion, 4, "model", "format_version");
            int major = (int)((uint)version >> 16);
            if (major != FormatVersionMajor)
                throw new EdgeFormatException("model.format_version", versionPos < 0 ? root : versionPos,
                    string.Concat("format version ", major.ToString(), ".", (version & 0xFFFF).ToString(),
                        " is not supported; this runtime reads ", FormatVersionMajor.ToString(), ".x"));
            m.FormatVersion = version;

            int arenaPos = FlatBufferView.FieldPos(file, root, ModelArenaBytes, 4, "model", "arena_bytes");
            int arena = FlatBufferView.GetInt(file, root, ModelArenaBytes, 0, "model", "arena_bytes");
            if (arena < 0) throw new EdgeFormatException("model.arena_bytes", arenaPos, "arena size exceeds 2 GiB");
            m.ArenaBytes = arena;

            // Constants blob and buffer table.
            int constants = FlatBufferView.GetRef(file, root, ModelConstants, "model", "constants");
            int constantsLength = 0;
            int constantsData = 0;
            if (constants >= 0)
            {
                constantsLength = FlatBufferView.VectorLength(file, constants, 1, "model", "constants");
                constantsData = constants + 4;
                if ((constantsData & 15) != 0)
                    throw new EdgeFormatException("model.constants", constants, "constant data is not 16-byte aligned");
            }
            m.ConstantBytes = constantsLength;
            int buffersVec = FlatBufferView.GetRef(file, root, ModelBuffers, "model", "buffers");
            int bufferCount = buffersVec < 0 ? 0 : FlatBufferView.VectorLength(file, buffersVec, 8, "model", "buffers");
            int[] bufferOffset = new int[bufferCount];
            int[] bufferLength = new int[bufferCount];
            for (int i = 0; i < bufferCount; i++)
            {
                int p = buffersVec + 4 + 8 * i;
                uint off = (uint)FlatBufferView.ReadInt32(file, p);
                uint len = (uint)FlatBufferView.ReadInt32(file, p + 4);
                if ((off & 15) != 0)
                    throw new EdgeFormatException(string.Concat("buffers[", i.ToString(), "].offset"), p, "constant buffer is not 16-byte aligned");
                if ((ulong)off + len > (ulong)constantsLength)
                    throw new EdgeFormatException(string.Concat("buffers[", i.ToString(), "]"), p, "buffer lies outside the constants blob");
                bufferOffset[i] = constantsData + (int)off;
                bufferLength[i] = (int)len;
            }

            m.Tensors = ReadTensors(file, root, m, bufferOffset, bufferLength);
            m.Inputs = ReadIo(file, root, ModelInputs, "inputs", m.Tensors);
            m.Outputs = ReadIo(file, root, ModelOutputs, "outputs", m.Tensors);

            int meta = FlatBufferView.GetTable(file, root, ModelMetadata, "model", "metadata");
            if (meta >= 0)
            {
                m.SourceFormat = FlatBufferView.GetString(file, meta, MetaSourceFormat, "metadata", "source_format");
                m.SourceFile = FlatBufferView.GetString(file, meta, MetaSourceFile, "metadata", "source_file");
                m.SourceSha256 = FlatBufferView.GetString(file, meta, MetaSha256, "metadata", "source_sha256");
                m.ConverterVersion = FlatBufferView.GetString(file, meta, MetaConverterVersion, "metadata", "converter_version");
                m.Macs = FlatBufferView.GetLong(file, meta, MetaMacs, 0, "metadata", "macs");
            }

            int selfTest = FlatBufferView.GetTable(file, root, ModelSelfTest, "model", "self_test");
            if (selfTest >= 0)
            {
                m.SelfTestInputOffsets = ReadSelfTestBuffers(file, selfTest, 0, "inputs", m.Inputs, m.Tensors, bufferOffset, bufferLength);
                m.SelfTestOutputOffsets = ReadSelfTestBuffers(file, selfTest, 1, "outputs", m.Outputs, m.Tensors, bufferOffset, bufferLength);
            }

            m.StateTensors = ReadStateTensors(file, root, m.Tensors, m.Inputs);
            m.Ops = ReadOperators(file, root, m, kernels);
            if (kernels != null) m.Kernels = kernels.Name;
            CheckPlan(m);
            return m;
        }

        private static TensorInfo[] ReadTensors(byte[] file, int root, EdgeModel m, int[] bufferOffset, int[] bufferLength)
        {
            int arenaBytes = m.ArenaBytes;
            int vec = FlatBufferView.GetRef(file, root, ModelTensors, "model", "tensors");
            if (vec < 0) throw new EdgeFormatException("model.tensors", root, "model has no tensors");
            int n = FlatBufferView.VectorLength(file, vec, 4, "model", "tensors");
            TensorInfo[] ts = new TensorInfo[n];
            int[] tableOffsets = new int[n];
            for (int i = 0; i < n; i++)
            {
                string path = string.Concat("tensors[", i.ToString(), "]");
                int t = FlatBufferView.GetVectorTable(file, vec, i, path);
                TensorInfo ti = new TensorInfo();
                ti.Index = i;
                ti.Name = FlatBufferView.GetString(file, t, TensorName, path, "name");
                if (ti.Name == null) ti.Name = "";
                int dtype = FlatBufferView.GetByte(file, t, TensorDType, 0, path, "dtype");
                if (dtype > (int)DType.UInt64)
                    throw new EdgeFormatException(string.Concat(path, ".dtype"), t, string.Concat("unknown dtype ", dtype.ToString()));
                ti.Type = (DType)dtype;
                int[] shape = FlatBufferView.GetIntVector(file, t, TensorShape, path, "shape");
                if (shape == null) shape = new int[0];
                if (shape.Length > 8) throw new EdgeFormatException(string.Concat(path, ".shape"), t, "rank above 8 is not supported");
                long count = 1;
                for (int d = 0; d < shape.Length; d++)
                {
                    if (shape[d] < 0) throw new EdgeFormatException(string.Concat(path, ".shape"), t, "negative dimension");
                    count *= shape[d];
                    if (count > 0x7FFFFFFF) throw new EdgeFormatException(string.Concat(path, ".shape"), t, "element count overflows");
                }
                ti.Shape = shape;
                ti.ElementCount = (int)count;
                long bytes = count * TensorInfo.ElementSize(ti.Type);
                int sizePos = FlatBufferView.FieldPos(file, t, TensorSizeBytes, 4, path, "size_bytes");
                int size = FlatBufferView.GetInt(file, t, TensorSizeBytes, 0, path, "size_bytes");
                if (bytes != size)
                    throw new EdgeFormatException(string.Concat(path, ".size_bytes"), sizePos < 0 ? t : sizePos,
                        string.Concat("size_bytes is ", size.ToString(), " but the shape needs ", bytes.ToString()));
                ti.SizeBytes = size;

                int q = FlatBufferView.GetTable(file, t, TensorQuantization, path, "quantization");
                if (q >= 0) ReadQuantization(file, q, string.Concat(path, ".quantization"), ti);

                int buffer = FlatBufferView.GetInt(file, t, TensorBuffer, -1, path, "buffer");
                int arenaOffset = FlatBufferView.GetInt(file, t, TensorArenaOffset, -1, path, "arena_offset");
                if (buffer >= 0)
                {
                    if (arenaOffset >= 0) throw new EdgeFormatException(string.Concat(path, ".arena_offset"), t, "a constant tensor cannot also have an arena offset");
                    if (buffer >= bufferOffset.Length) throw new EdgeFormatException(string.Concat(path, ".buffer"), t, string.Concat("buffer index ", buffer.ToString(), " out of range (", bufferOffset.Length.ToString(), " buffers)"));
                    if (bufferLength[buffer] != size) throw new EdgeFormatException(string.Concat(path, ".buffer"), t, string.Concat("buffer holds ", bufferLength[buffer].ToString(), " bytes, tensor needs ", size.ToString()));
                    ti.IsConstant = true;
                    ti.DataOffset = bufferOffset[buffer];
                }
                else
                {
                    if (buffer != -1) throw new EdgeFormatException(string.Concat(path, ".buffer"), t, "negative buffer index");
                    if (arenaOffset < 0) throw new EdgeFormatException(string.Concat(path, ".arena_offset"), t, "activation tensor has no arena offset");
                    if ((long)arenaOffset + size > arenaBytes)
                        throw new EdgeFormatException(string.Concat(path, ".arena_offset"), t,
                            string.Concat("bytes ", arenaOffset.ToString(), "..", ((long)arenaOffset + size).ToString(), " lie outside the ", arenaBytes.ToString(), "-byte arena"));
                    ti.IsConstant = false;
                    ti.DataOffset = arenaOffset;
                }
                ts[i] = ti;
                tableOffsets[i] = t;
            }
            m._tensorOffsets = tableOffsets;
            return ts;
        }

        private static void ReadQuantization(byte[] file, int q, string path, TensorInfo ti)
        {
            float[] scales = FlatBufferView.GetFloatVector(file, q, QuantScale, path, "scale");
            int[] zps = FlatBufferView.GetIntVector(file, q, QuantZeroPoint, path, "zero_point");
            int dim = FlatBufferView.GetInt(file, q, QuantDimension, 0, path, "quantized_dimension");
            int ns = scales == null ? 0 : scales.Length;
            int nz = zps == null ? 0 : zps.Length;
            if (ns != nz) throw new EdgeFormatException(path, q, string.Concat(ns.ToString(), " scales but ", nz.ToString(), " zero points"));
            if (ns == 0) return;
            if (ns > 1)
            {
                if (dim < 0 || dim >= ti.Shape.Length) throw new EdgeFormatException(string.Concat(path, ".quantized_dimension"), q, "quantized dimension out of range");
                if (ti.Shape[dim] != ns) throw new EdgeFormatException(string.Concat(path, ".scale"), q, string.Concat(ns.ToString(), " scales for a dimension of size ", ti.Shape[dim].ToString()));
            }
            for (int i = 0; i < ns; i++)
            {
                float s = scales[i];
                if (!(s >= 0) || s > 3.4e38f) throw new EdgeFormatException(string.Concat(path, ".scale"), q, "scale is negative, infinite or NaN");
            }
            int lo = 0, hi = 0;
            if (ti.Type == DType.Int8) { lo = -128; hi = 127; }
            else if (ti.Type == DType.UInt8) { lo = 0; hi = 255; }
            else if (ti.Type == DType.Int16) { lo = -32768; hi = 32767; }
            else if (ti.Type == DType.Int32) { lo = int.MinValue; hi = int.MaxValue; }
            for (int i = 0; i < nz; i++)
                if (zps[i] < lo || zps[i] > hi) throw new EdgeFormatException(string.Concat(path, ".zero_point"), q, string.Concat("zero point ", zps[i].ToString(), " out of range for ", TensorInfo.DTypeName(ti.Type)));
            ti.Scales = scales;
            ti.ZeroPoints = zps;
            ti.QuantizedDimension = dim;
        }

        private static int[] ReadSelfTestBuffers(byte[] file, int table, int slot, string field, int[] io, TensorInfo[] ts,
            int[] bufferOffset, int[] bufferLength)
        {
            int[] v = FlatBufferView.GetIntVector(file, table, slot, "self_test", field);
            if (v == null || v.Length != io.Length)
                throw new EdgeFormatException(string.Concat("self_test.", field), table, string.Concat("needs one buffer per model ", field));
            int[] offsets = new int[v.Length];
            for (int i = 0; i < v.Length; i++)
            {
                if (v[i] < 0 || v[i] >= bufferOffset.Length)
                    throw new EdgeFormatException(string.Concat("self_test.", field), table, string.Concat("buffer index ", v[i].ToString(), " out of range"));
                if (bufferLength[v[i]] != ts[io[i]].SizeBytes)
                    throw new EdgeFormatException(string.Concat("self_test.", field), table, string.Concat("buffer ", v[i].ToString(), " holds ", bufferLength[v[i]].ToString(), " bytes, tensor needs ", ts[io[i]].SizeBytes.ToString()));
                offsets[i] = bufferOffset[v[i]];
            }
            return offsets;
        }

        private static int[] ReadStateTensors(byte[] file, int root, TensorInfo[] ts, int[] inputs)
        {
            int[] v = FlatBufferView.GetIntVector(file, root, ModelStateTensors, "model", "state_tensors");
            if (v == null) return new int[0];
            for (int i = 0; i < v.Length; i++)
            {
                if (v[i] < 0 || v[i] >= ts.Length)
                    throw new EdgeFormatException("model.state_tensors", root, string.Concat("tensor index ", v[i].ToString(), " out of range"));
                if (ts[v[i]].IsConstant)
                    throw new EdgeFormatException("model.state_tensors", root, string.Concat("state tensor ", v[i].ToString(), " is a constant"));
                for (int k = 0; k < inputs.Length; k++)
                    if (inputs[k] == v[i]) throw new EdgeFormatException("model.state_tensors", root, string.Concat("state tensor ", v[i].ToString(), " is a model input"));
                for (int k = 0; k < i; k++)
                    if (v[k] == v[i]) throw new EdgeFormatException("model.state_tensors", root, string.Concat("state tensor ", v[i].ToString(), " is listed twice"));
            }
            return v;
        }

        private static int[] ReadIo(byte[] file, int root, int slot, string field, TensorInfo[] ts)
        {
            int[] v = FlatBufferView.GetIntVector(file, root, slot, "model", field);
            if (v == null || v.Length == 0) throw new EdgeFormatException(string.Concat("model.", field), root, string.Concat("model has no ", field));
            for (int i = 0; i < v.Length; i++)
            {
                if (v[i] < 0 || v[i] >= ts.Length) throw new EdgeFormatException(string.Concat("model.", field), root, string.Concat("tensor index ", v[i].ToString(), " out of range"));
                if (ts[v[i]].IsConstant) throw new EdgeFormatException(string.Concat("model.", field), root, string.Concat("model ", field, " must be activations, tensor ", v[i].ToString(), " is a constant"));
            }
            return v;
        }

        private static OpKernel[] ReadOperators(byte[] file, int root, EdgeModel m, KernelProvider kernels)
        {
            int vec = FlatBufferView.GetRef(file, root, ModelOperators, "model", "operators");
            int n = vec < 0 ? 0 : FlatBufferView.VectorLength(file, vec, 4, "model", "operators");
            OpKernel[] ops = new OpKernel[n];
            m._opInputs = new int[n][];
            m._opOutputs = new int[n][];
            m._opOffsets = new int[n];
            for (int i = 0; i < n; i++)
            {
                string path = string.Concat("operators[", i.ToString(), "]");
                int t = FlatBufferView.GetVectorTable(file, vec, i, path);
                OperatorDef d = new OperatorDef();
                d.Index = i;
                d.FileOffset = t;
                d.File = file;
                d.Path = path;
                d.Model = m;
                int type = FlatBufferView.GetUInt16(file, t, OpTypeSlot, 0, path, "type");
                if (type >= OpNames.Count) throw new EdgeFormatException(string.Concat(path, ".type"), t, string.Concat("unknown op type ", type.ToString()));
                d.Type = (OpType)type;
                d.Inputs = FlatBufferView.GetIntVector(file, t, OpInputs, path, "inputs");
                d.Outputs = FlatBufferView.GetIntVector(file, t, OpOutputs, path, "outputs");
                if (d.Inputs == null) d.Inputs = new int[0];
                if (d.Outputs == null || d.Outputs.Length == 0) throw new EdgeFormatException(string.Concat(path, ".outputs"), t, "operator has no outputs");
                for (int k = 0; k < d.Inputs.Length; k++)
                    if (d.Inputs[k] < -1 || d.Inputs[k] >= m.Tensors.Length)
                        throw new EdgeFormatException(string.Concat(path, ".inputs"), t, string.Concat("tensor index ", d.Inputs[k].ToString(), " out of range"));
                for (int k = 0; k < d.Outputs.Length; k++)
                {
                    if (d.Outputs[k] < 0 || d.Outputs[k] >= m.Tensors.Length)
                        throw new EdgeFormatException(string.Concat(path, ".outputs"), t, string.Concat("tensor index ", d.Outputs[k].ToString(), " out of range"));
                    if (m.Tensors[d.Outputs[k]].IsConstant)
                        throw new EdgeFormatException(string.Concat(path, ".outputs"), t, "an operator cannot write a constant tensor");
                }
                d.OptionsType = FlatBufferView.GetByte(file, t, OpOptionsType, 0, path, "options_type");
                if (d.OptionsType >= OptionsType.Count)
                    throw new EdgeFormatException(string.Concat(path, ".options_type"), t, string.Concat("unknown options type ", d.OptionsType.ToString()));
                d.OptionsTable = FlatBufferView.GetTable(file, t, OpOptions, path, "options");
                if (d.OptionsType != OptionsType.None && d.OptionsTable < 0)
                    throw new EdgeFormatException(string.Concat(path, ".options"), t, "options type set but options table missing");
                d.Macs = FlatBufferView.GetLong(file, t, OpMacs, 0, path, "macs");
                m._opInputs[i] = d.Inputs;
                m._opOutputs[i] = d.Outputs;
                m._opOffsets[i] = t;
                OpKernel k2 = OpFactory.Prepare(d);
                if (kernels != null)
                {
                    OpKernel fast = kernels.Select(d, k2);
                    if (fast != null) k2 = fast;
                }
                k2.Index = i;
                k2.Type = d.Type;
                k2.Macs = d.Macs;
                k2.Inputs = d.Inputs;
                k2.Outputs = d.Outputs;
                ops[i] = k2;
            }
            return ops;
        }

        /// <summary>
        /// Checks the arena plan: each activation is live from the op that writes it (model inputs: from the
        /// start) to the last op that reads it (model outputs: to the end); no two live tensors may share bytes,
        /// except a RESHAPE whose output is planned on its input's bytes (an alias), and every activation that
        /// is read is written first.
        /// </summary>
        private static void CheckPlan(EdgeModel m)
        {
            int nt = m.Tensors.Length;
            int nOps = m.Ops.Length;
            int[] first = new int[nt];
            int[] last = new int[nt];
            int[] alias = new int[nt];
            for (int i = 0; i < nt; i++) { first[i] = int.MaxValue; last[i] = -1; alias[i] = i; }
            for (int i = 0; i < m.Inputs.Length; i++) first[m.Inputs[i]] = -1;
            // State tensors live from before the first op to after the last; ops only read (and update) them.
            for (int i = 0; i < m.StateTensors.Length; i++) { first[m.StateTensors[i]] = -1; last[m.StateTensors[i]] = nOps; }
            // Walk ops in order. Reading a tensor before any writer is a plan error.
            int[][] opIns = m._opInputs;
            int[][] opOuts = m._opOutputs;
            for (int op = 0; op < nOps; op++)
            {
                int[] ins = opIns[op];
                for (int k = 0; k < ins.Length; k++)
                {
                    int t = ins[k];
                    if (t < 0 || m.Tensors[t].IsConstant) continue;
                    if (first[t] == int.MaxValue)
                        throw new EdgeFormatException(string.Concat("operators[", op.ToString(), "].inputs"), m._opOffsets[op],
                            string.Concat("tensor ", t.ToString(), " is read before any operator writes it"));
                    if (op > last[t]) last[t] = op;
                }
                int[] outs = opOuts[op];
                for (int k = 0; k < outs.Length; k++)
                {
                    int t = outs[k];
                    if (first[t] != int.MaxValue)
                        throw new EdgeFormatException(string.Concat("operators[", op.ToString(), "].outputs"), m._opOffsets[op],
                            string.Concat("tensor ", t.ToString(), " is written twice (or is a model input)"));
                    first[t] = op;
                    if (op > last[t]) last[t] = op;
                }
                if (m.Ops[op].Type == OpType.Reshape && ins.Length > 0 && ins[0] >= 0)
                {
                    TensorInfo a = m.Tensors[ins[0]];
                    TensorInfo b = m.Tensors[outs[0]];
                    if (!a.IsConstant && a.DataOffset == b.DataOffset) alias[outs[0]] = alias[ins[0]];
                }
            }
            for (int i = 0; i < m.Outputs.Length; i++)
            {
                int t = m.Outputs[i];
                if (first[t] == int.MaxValue && !IsModelInput(m, t))
                    throw new EdgeFormatException("model.outputs", 0, string.Concat("output tensor ", t.ToString(), " is never written"));
                last[t] = nOps;
            }
            // Aliased tensors share one lifetime (the union).
            for (int i = 0; i < nt; i++)
            {
                int r = Root(alias, i);
                if (r == i) continue;
                if (first[i] < first[r]) first[r] = first[i];
                if (last[i] > last[r]) last[r] = last[i];
            }
            for (int i = 0; i < nt; i++)
            {
                TensorInfo a = m.Tensors[i];
                if (a.IsConstant || first[i] == int.MaxValue || a.SizeBytes == 0) continue;
                int ra = Root(alias, i);
                int fa = first[ra], la = last[ra];
                for (int j = i + 1; j < nt; j++)
                {
                    TensorInfo b = m.Tensors[j];
                    if (b.IsConstant || first[j] == int.MaxValue || b.SizeBytes == 0) continue;
                    int rb = Root(alias, j);
                    if (ra == rb) continue;
                    int fb = first[rb], lb = last[rb];
                    bool timeOverlap = fa <= lb && fb <= la;
                    bool spaceOverlap = a.DataOffset < b.DataOffset + b.SizeBytes && b.DataOffset < a.DataOffset + a.SizeBytes;
                    if (timeOverlap && spaceOverlap)
                        throw new EdgeFormatException(string.Concat("tensors[", i.ToString(), "].arena_offset"), m._tensorOffsets[i],
                            string.Concat("arena plan overlaps tensor ", i.ToString(), " with tensor ", j.ToString(), " while both are live"));
                }
            }
            m._opInputs = null;
            m._opOutputs = null;
            m._opOffsets = null;
            m._tensorOffsets = null;
        }

        private static bool IsModelInput(EdgeModel m, int t)
        {
            for (int i = 0; i < m.Inputs.Length; i++) if (m.Inputs[i] == t) return true;
            return false;
        }

        private static int Root(int[] alias, int i)
        {
            int guard = 0;
            while (alias[i] != i && guard++ < alias.Length) i = alias[i];
            return i;
        }

        // Operand lists kept only during load, for the plan check.
        internal int[][] _opInputs;
        internal int[][] _opOutputs;
        internal int[] _opOffsets;
        internal int[] _tensorOffsets;
    }
}
