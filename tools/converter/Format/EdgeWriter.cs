using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Edge.Converter.FlatBuffers;
using Edge.Converter.Ir;
using Edge.Runtime;

namespace Edge.Converter.Format
{
    /// <summary>
    /// Serialises an <see cref="EdgeGraph"/> into a .edge file (runtime/Format/edge.fbs, file identifier "EDGE",
    /// format_version 1.2 = 65538, see FormatVersion).
    ///
    /// Constants: each constant tensor (Data != null), in tensor order, gets one BufferRef; its bytes go into
    /// Model.constants at an offset that is a multiple of 16 (zero padding between buffers), and tensor.buffer is
    /// the BufferRef's index. Model.constants itself starts at a 16-aligned file offset (force_align: 16).
    /// Activations carry the planner's arena_offset; constants carry arena_offset -1 and activations buffer -1.
    /// The constants vector's length is rounded up to a multiple of 16 (zero tail), so the file ends exactly where
    /// Model.constants ends (no trailing padding).
    ///
    /// The graph is validated first (indices in range, constant sizes, arena ranges inside arena_bytes); a bad
    /// graph raises <see cref="ArgumentException"/> and nothing is written.
    /// </summary>
    public static class EdgeWriter
    {
        public const string FileIdentifier = "EDGE";
        /// <summary>major * 65536 + minor: 1.2 (1.1 added Model.self_test; 1.2 the audio front end, Model.state_tensors, the ONNX ops and RequantRule).</summary>
        public const uint FormatVersion = (1u << 16) | 2;
        public const int ConstantAlignment = 16;

        /// <summary>Where one constant buffer lives inside Model.constants.</summary>
        public readonly struct BufferRef
        {
            public BufferRef(uint offset, uint length) { Offset = offset; Length = length; }
            public uint Offset { get; }
            public uint Length { get; }
        }

        /// <summary>Serialises the graph to a .edge image.</summary>
        public static byte[] Write(EdgeGraph g)
        {
            Validate(g);
            var bufferIndex = new int[g.Tensors.Count];
            var refs = new List<BufferRef>();
            byte[] constants = LayoutConstants(g, bufferIndex, refs);

            var b = new FlatBufferBuilder(constants.Length + 4096 + 256 * g.Tensors.Count + 256 * g.Ops.Count);

            // Created first = placed last in the file; the big aligned blob goes at the end.
            int constantsOff = b.CreateByteVector(constants, ConstantAlignment);
            int buffersOff = b.CreateVectorOfStructs(refs, 8, 4, (bb, r) =>
            {
                // struct BufferRef { offset: uint; length: uint; } written back to front.
                bb.PutUint(r.Length);
                bb.PutUint(r.Offset);
            });

            int selfTestOff = 0;
            if (g.SelfTest != null)
            {
                int n = refs.Count - SelfTestBuffers(g);
                var ins = Enumerable.Range(n, g.SelfTest.Inputs.Count).ToArray();
                var outs = Enumerable.Range(n + g.SelfTest.Inputs.Count, g.SelfTest.Outputs.Count).ToArray();
                int insOff = b.CreateVector(ins), outsOff = b.CreateVector(outs);
                // table SelfTest
                b.StartTable(2);
                b.AddOffset(0, insOff);
                b.AddOffset(1, outsOff);
                selfTestOff = b.EndTable();
            }

            var tensorOffs = new int[g.Tensors.Count];
            for (int i = 0; i < g.Tensors.Count; i++)
                tensorOffs[i] = WriteTensor(b, g.Tensors[i], bufferIndex[i]);
            int tensorsOff = b.CreateOffsetVector(tensorOffs);

            var opOffs = new int[g.Ops.Count];
            for (int i = 0; i < g.Ops.Count; i++)
                opOffs[i] = WriteOp(b, g.Ops[i]);
            int opsOff = b.CreateOffsetVector(opOffs);

            int inputsOff = b.CreateVector(g.Inputs.ToArray());
            int outputsOff = b.CreateVector(g.Outputs.ToArray());
            int metadataOff = WriteMetadata(b, g.Metadata ?? new EdgeMetadata());
            int stateOff = g.StateTensors.Count > 0 ? b.CreateVector(g.StateTensors.ToArray()) : 0;

            // table Model
            b.StartTable(11);
            b.AddUint(0, FormatVersion, 0);
            b.AddOffset(1, tensorsOff);
            b.AddOffset(2, opsOff);
            b.AddOffset(3, inputsOff);
            b.AddOffset(4, outputsOff);
            b.AddOffset(5, buffersOff);
            b.AddOffset(6, constantsOff);
            b.AddUint(7, (uint)g.ArenaBytes, 0);
            b.AddOffset(8, metadataOff);
            b.AddOffset(9, selfTestOff);
            b.AddOffset(10, stateOff);
            int model = b.EndTable();
            b.Finish(model, FileIdentifier);
            return b.ToArray();
        }

        /// <summary>
        /// Writes the .edge file atomically: the bytes go to a temporary file in the same directory which is then
        /// renamed over <paramref name="path"/>, so a partial output file never exists.
        /// </summary>
        public static void WriteFile(EdgeGraph g, string path)
        {
            if (path == null) throw new ArgumentNullException(nameof(path));
            byte[] bytes = Write(g);
            string full = Path.GetFullPath(path);
            string dir = Path.GetDirectoryName(full) ?? ".";
            string tmp = Path.Combine(dir, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + ".tmp");
            try
            {
                using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    fs.Write(bytes, 0, bytes.Length);
                    fs.Flush(true);
                }
                File.Move(tmp, full, overwrite: true);
            }
            catch
            {
                try { if (File.Exists(tmp)) File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                throw;
            }
        }

        /// <summary>
        /// Lays out Model.constants: one BufferRef per constant tensor in tensor order, each at a 16-aligned
        /// offset. Fills <paramref name="bufferIndex"/> (-1 for activations) and <paramref name="refs"/>.
        /// </summary>
        public static byte[] LayoutConstants(EdgeGraph g, int[] bufferIndex, List<BufferRef> refs)
        {
            long total = 0;
            for (int i = 0; i < g.Tensors.Count; i++)
            {
                var t = g.Tensors[i];
                if (!t.IsConstant) { bufferIndex[i] = -1; continue; }
                long off = AlignUp(total, ConstantAlignment);
                bufferIndex[i] = refs.Count;
                refs.Add(new BufferRef(checked((uint)off), checked((uint)t.Data.Length)));
                total = off + t.Data.Length;
                if (total > FlatBufferBuilder.MaxBufferSize - 65536)
                    throw new ArgumentException($"constants exceed the 2 GiB FlatBuffers limit (at tensor {i} \"{t.Name}\")");
            }
            var extra = SelfTestData(g);
            foreach (var d in extra)
            {
                long off = AlignUp(total, ConstantAlignment);
                refs.Add(new BufferRef(checked((uint)off), checked((uint)d.Length)));
                total = off + d.Length;
            }
            // Round the blob up to 16 as well: with a length that is a multiple of its alignment the vector needs no
            // padding after it, so the file ends with Model.constants itself (created first = last in the file) and
            // a truncated file always cuts into referenced bytes instead of silently dropping trailing padding.
            var blob = new byte[AlignUp(total, ConstantAlignment)];
            int k = 0;
            for (int i = 0; i < g.Tensors.Count; i++)
            {
                var t = g.Tensors[i];
                if (!t.IsConstant) continue;
                Buffer.BlockCopy(t.Data, 0, blob, (int)refs[k].Offset, t.Data.Length);
                k++;
            }
            foreach (var d in extra)
            {
                Buffer.BlockCopy(d, 0, blob, (int)refs[k].Offset, d.Length);
                k++;
            }
            return blob;
        }

        private static long AlignUp(long x, int a) => (x + a - 1) / a * a;

        /// <summary>The self-test's byte images (inputs, then outputs), stored as buffers after the tensors' ones.</summary>
        private static List<byte[]> SelfTestData(EdgeGraph g)
        {
            var list = new List<byte[]>();
            if (g.SelfTest == null) return list;
            list.AddRange(g.SelfTest.Inputs);
            list.AddRange(g.SelfTest.Outputs);
            return list;
        }

        private static int SelfTestBuffers(EdgeGraph g) => g.SelfTest == null ? 0 : g.SelfTest.Inputs.Count + g.SelfTest.Outputs.Count;

        // ------------------------------------------------------------------------------------------------

        private static int WriteTensor(FlatBufferBuilder b, EdgeTensor t, int buffer)
        {
            int nameOff = b.CreateString(t.Name ?? "");
            int shapeOff = b.CreateVector(t.Shape);
            int quantOff = 0;
            bool hasScales = t.Scales != null && t.Scales.Length > 0;
            bool hasZps = t.ZeroPoints != null && t.ZeroPoints.Length > 0;
            if (hasScales || hasZps)
            {
                int scaleOff = hasScales ? b.CreateVector(t.Scales) : 0;
                int zpOff = hasZps ? b.CreateVector(t.ZeroPoints) : 0;
                // table Quantization
                b.StartTable(3);
                b.AddOffset(0, scaleOff);
                b.AddOffset(1, zpOff);
                b.AddInt(2, t.QuantizedDimension, 0);
                quantOff = b.EndTable();
            }
            // table Tensor
            b.StartTable(7);
            b.AddOffset(0, nameOff);
            b.AddByte(1, (byte)t.DType, 0);
            b.AddOffset(2, shapeOff);
            b.AddOffset(3, quantOff);
            b.AddInt(4, buffer, -1);
            b.AddInt(5, t.IsConstant ? -1 : t.ArenaOffset, -1);
            b.AddInt(6, t.SizeBytes, 0);
            return b.EndTable();
        }

        private static int WriteOp(FlatBufferBuilder b, EdgeOp op)
        {
            int inOff = b.CreateVector(op.Inputs);
            int outOff = b.CreateVector(op.Outputs);
            int optOff = op.Options == null ? 0 : WriteOptions(b, op.Options);
            // table Operator
            b.StartTable(6);
            b.AddUshort(0, (ushort)op.Type, 0);
            b.AddOffset(1, inOff);
            b.AddOffset(2, outOff);
            if (op.Options != null)
            {
                b.AddByte(3, (byte)op.Options.UnionType, 0);
                b.AddOffset(4, optOff);
            }
            b.AddLong(5, op.Macs, 0);
            return b.EndTable();
        }

        private static int WriteMetadata(FlatBufferBuilder b, EdgeMetadata md)
        {
            int fmt = b.CreateString(md.SourceFormat);
            int file = b.CreateString(md.SourceFile);
            int sha = b.CreateString(md.SourceSha256);
            int ver = b.CreateString(md.ConverterVersion);
            var counts = new int[md.OpCounts.Count];
            for (int i = 0; i < counts.Length; i++)
            {
                // table OpCount
                b.StartTable(2);
                b.AddUshort(0, (ushort)md.OpCounts[i].Key, 0);
                b.AddInt(1, md.OpCounts[i].Value, 0);
                counts[i] = b.EndTable();
            }
            int countsOff = b.CreateOffsetVector(counts);
            // table Metadata
            b.StartTable(6);
            b.AddOffset(0, fmt);
            b.AddOffset(1, file);
            b.AddOffset(2, sha);
            b.AddOffset(3, ver);
            b.AddLong(4, md.Macs, 0);
            b.AddOffset(5, countsOff);
            return b.EndTable();
        }

        private static int Vec(FlatBufferBuilder b, int[] v) => v == null ? 0 : b.CreateVector(v);
        private static int Vec(FlatBufferBuilder b, float[] v) => v == null ? 0 : b.CreateVector(v);

        /// <summary>Writes one OpOptions table; slots follow the field order in edge.fbs.</summary>
        private static int WriteOptions(FlatBufferBuilder b, OpOptions options)
        {
            switch (options)
            {
                case Conv2DOptions o:
                    {
                        int mul = Vec(b, o.OutputMultiplier), sh = Vec(b, o.OutputShift);
                        b.StartTable(14);
                        b.AddInt(0, o.StrideW, 1); b.AddInt(1, o.StrideH, 1);
                        b.AddInt(2, o.DilationW, 1); b.AddInt(3, o.DilationH, 1);
                        b.AddInt(4, o.PadTop, 0); b.AddInt(5, o.PadLeft, 0); b.AddInt(6, o.PadBottom, 0); b.AddInt(7, o.PadRight, 0);
                        b.AddInt(8, o.InputZeroPoint, 0); b.AddInt(9, o.OutputZeroPoint, 0);
                        b.AddInt(10, o.ActMin, 0); b.AddInt(11, o.ActMax, 0);
                        b.AddOffset(12, mul); b.AddOffset(13, sh);
                        return b.EndTable();
                    }
                case DepthwiseConv2DOptions o:
                    {
                        int mul = Vec(b, o.OutputMultiplier), sh = Vec(b, o.OutputShift);
                        b.StartTable(15);
                        b.AddInt(0, o.StrideW, 1); b.AddInt(1, o.StrideH, 1);
                        b.AddInt(2, o.DilationW, 1); b.AddInt(3, o.DilationH, 1);
                        b.AddInt(4, o.PadTop, 0); b.AddInt(5, o.PadLeft, 0); b.AddInt(6, o.PadBottom, 0); b.AddInt(7, o.PadRight, 0);
                        b.AddInt(8, o.DepthMultiplier, 1);
                        b.AddInt(9, o.InputZeroPoint, 0); b.AddInt(10, o.OutputZeroPoint, 0);
                        b.AddInt(11, o.ActMin, 0); b.AddInt(12, o.ActMax, 0);
                        b.AddOffset(13, mul); b.AddOffset(14, sh);
                        return b.EndTable();
                    }
                case FullyConnectedOptions o:
                    {
                        int mul = Vec(b, o.OutputMultiplier), sh = Vec(b, o.OutputShift);
                        b.StartTable(6);
                        b.AddInt(0, o.InputZeroPoint, 0); b.AddInt(1, o.OutputZeroPoint, 0);
                        b.AddInt(2, o.ActMin, 0); b.AddInt(3, o.ActMax, 0);
                        b.AddOffset(4, mul); b.AddOffset(5, sh);
                        return b.EndTable();
                    }
                case AddSubOptions o:
                    b.StartTable(12);
                    b.AddInt(0, o.LeftShift, 0);
                    b.AddInt(1, o.Input1Offset, 0); b.AddInt(2, o.Input1Multiplier, 0); b.AddInt(3, o.Input1Shift, 0);
                    b.AddInt(4, o.Input2Offset, 0); b.AddInt(5, o.Input2Multiplier, 0); b.AddInt(6, o.Input2Shift, 0);
                    b.AddInt(7, o.OutputOffset, 0); b.AddInt(8, o.OutputMultiplier, 0); b.AddInt(9, o.OutputShift, 0);
                    b.AddInt(10, o.ActMin, 0); b.AddInt(11, o.ActMax, 0);
                    return b.EndTable();
                case MulOptions o:
                    b.StartTable(7);
                    b.AddInt(0, o.Input1Offset, 0); b.AddInt(1, o.Input2Offset, 0); b.AddInt(2, o.OutputOffset, 0);
                    b.AddInt(3, o.OutputMultiplier, 0); b.AddInt(4, o.OutputShift, 0);
                    b.AddInt(5, o.ActMin, 0); b.AddInt(6, o.ActMax, 0);
                    return b.EndTable();
                case Pool2DOptions o:
                    b.StartTable(10);
                    b.AddInt(0, o.StrideW, 1); b.AddInt(1, o.StrideH, 1);
                    b.AddInt(2, o.FilterW, 1); b.AddInt(3, o.FilterH, 1);
                    b.AddInt(4, o.PadTop, 0); b.AddInt(5, o.PadLeft, 0); b.AddInt(6, o.PadBottom, 0); b.AddInt(7, o.PadRight, 0);
                    b.AddInt(8, o.ActMin, 0); b.AddInt(9, o.ActMax, 0);
                    return b.EndTable();
                case SoftmaxOptions o:
                    b.StartTable(3);
                    b.AddInt(0, o.InputMultiplier, 0); b.AddInt(1, o.InputLeftShift, 0); b.AddInt(2, o.DiffMin, 0);
                    return b.EndTable();
                case SigmoidTanhOptions o:
                    b.StartTable(4);
                    b.AddInt(0, o.InputZeroPoint, 0); b.AddInt(1, o.InputRangeRadius, 0);
                    b.AddInt(2, o.InputMultiplier, 0); b.AddInt(3, o.InputLeftShift, 0);
                    return b.EndTable();
                case RequantizeOptions o:
                    b.StartTable(6);
                    b.AddInt(0, o.InputOffset, 0); b.AddInt(1, o.OutputOffset, 0);
                    b.AddInt(2, o.OutputMultiplier, 0); b.AddInt(3, o.OutputShift, 0);
                    b.AddInt(4, o.ActMin, 0); b.AddInt(5, o.ActMax, 0);
                    return b.EndTable();
                case LeakyReluOptions o:
                    b.StartTable(6);
                    b.AddInt(0, o.InputOffset, 0); b.AddInt(1, o.OutputOffset, 0);
                    b.AddInt(2, o.OutputMultiplierIdentity, 0); b.AddInt(3, o.OutputShiftIdentity, 0);
                    b.AddInt(4, o.OutputMultiplierAlpha, 0); b.AddInt(5, o.OutputShiftAlpha, 0);
                    return b.EndTable();
                case HardSwishOptions o:
                    b.StartTable(6);
                    b.AddInt(0, o.InputZeroPoint, 0); b.AddInt(1, o.OutputZeroPoint, 0);
                    b.AddInt(2, o.ReluishMultiplierFixedpointInt16, 0); b.AddInt(3, o.ReluishMultiplierExponent, 0);
                    b.AddInt(4, o.OutputMultiplierFixedpointInt16, 0); b.AddInt(5, o.OutputMultiplierExponent, 0);
                    return b.EndTable();
                case PadOptions o:
                    {
                        int pads = Vec(b, o.Paddings);
                        b.StartTable(2);
                        b.AddOffset(0, pads);
                        b.AddInt(1, o.PadValue, 0);
                        return b.EndTable();
                    }
                case ConcatenationOptions o:
                    {
                        int scales = Vec(b, o.InputScale), zps = Vec(b, o.InputZeroPoint);
                        b.StartTable(6);
                        b.AddInt(0, o.Axis, 0);
                        b.AddBool(1, o.Requantize, false);
                        b.AddOffset(2, scales); b.AddOffset(3, zps);
                        b.AddFloat(4, o.OutputScale, 0f);
                        b.AddInt(5, o.OutputZeroPoint, 0);
                        return b.EndTable();
                    }
                case MeanOptions o:
                    {
                        int axes = Vec(b, o.Axes);
                        b.StartTable(7);
                        b.AddOffset(0, axes);
                        b.AddBool(1, o.KeepDims, false);
                        b.AddInt(2, o.InputZeroPoint, 0); b.AddInt(3, o.OutputZeroPoint, 0);
                        b.AddInt(4, o.Multiplier, 0); b.AddInt(5, o.Shift, 0);
                        b.AddBool(6, o.SameQuantization, false);
                        return b.EndTable();
                    }
                case AffineQuantizeOptions o:
                    {
                        bool onnx = o.HasOnnxFields;
                        int scales = onnx ? Vec(b, o.Scales ?? Array.Empty<float>()) : 0;
                        int zps = onnx ? Vec(b, o.ZeroPoints ?? Array.Empty<int>()) : 0;
                        b.StartTable(onnx ? 6 : 2);
                        b.AddFloat(0, o.Scale, 0f);
                        b.AddInt(1, o.ZeroPoint, 0);
                        if (onnx)
                        {
                            b.AddByte(2, (byte)o.RequantRule, 0);
                            b.AddOffset(3, scales);
                            b.AddOffset(4, zps);
                            b.AddInt(5, o.Axis, 0);
                        }
                        return b.EndTable();
                    }
                case QLinearConvOptions o:
                    {
                        int wzp = Vec(b, o.WeightZeroPoint), sc = Vec(b, o.OutputScale);
                        b.StartTable(17);
                        b.AddInt(0, o.StrideW, 1); b.AddInt(1, o.StrideH, 1);
                        b.AddInt(2, o.DilationW, 1); b.AddInt(3, o.DilationH, 1);
                        b.AddInt(4, o.PadTop, 0); b.AddInt(5, o.PadLeft, 0); b.AddInt(6, o.PadBottom, 0); b.AddInt(7, o.PadRight, 0);
                        b.AddInt(8, o.Group, 1);
                        b.AddInt(9, o.InputZeroPoint, 0);
                        b.AddOffset(10, wzp);
                        b.AddByte(11, (byte)o.RequantRule, (byte)RequantRuleKind.OnnxRuntimeFloat);
                        b.AddOffset(12, sc);
                        b.AddInt(13, o.OutputZeroPoint, 0);
                        b.AddInt(14, o.ActMin, 0); b.AddInt(15, o.ActMax, 0);
                        b.AddBool(16, o.PairSaturation, false);
                        return b.EndTable();
                    }
                case QLinearMatMulOptions o:
                    {
                        int bzp = Vec(b, o.WeightZeroPoint), sc = Vec(b, o.OutputScale);
                        b.StartTable(8);
                        b.AddInt(0, o.InputZeroPoint, 0);
                        b.AddOffset(1, bzp);
                        b.AddByte(2, (byte)o.RequantRule, (byte)RequantRuleKind.OnnxRuntimeFloat);
                        b.AddOffset(3, sc);
                        b.AddInt(4, o.OutputZeroPoint, 0);
                        b.AddInt(5, o.ActMin, 0); b.AddInt(6, o.ActMax, 0);
                        b.AddBool(7, o.PairSaturation, false);
                        return b.EndTable();
                    }
                case QLinearBinaryOptions o:
                    b.StartTable(7);
                    b.AddInt(0, o.Kind, 0); b.AddInt(1, o.Shift, 0);
                    b.AddInt(2, o.ZeroPointA, 0); b.AddInt(3, o.ZeroPointB, 0);
                    b.AddFloat(4, o.RatioA, 0f); b.AddFloat(5, o.RatioB, 0f); b.AddFloat(6, o.Fixed, 0f);
                    return b.EndTable();
                case LookupOptions o:
                    {
                        int t = Vec(b, o.Table);
                        b.StartTable(1);
                        b.AddOffset(0, t);
                        return b.EndTable();
                    }
                case QLinearAveragePoolOptions o:
                    b.StartTable(14);
                    b.AddInt(0, o.StrideW, 1); b.AddInt(1, o.StrideH, 1);
                    b.AddInt(2, o.FilterW, 1); b.AddInt(3, o.FilterH, 1);
                    b.AddInt(4, o.PadTop, 0); b.AddInt(5, o.PadLeft, 0); b.AddInt(6, o.PadBottom, 0); b.AddInt(7, o.PadRight, 0);
                    b.AddBool(8, o.CountIncludePad, false);
                    b.AddFloat(9, o.InputScale, 0f); b.AddInt(10, o.InputZeroPoint, 0);
                    b.AddFloat(11, o.OutputScale, 0f); b.AddInt(12, o.OutputZeroPoint, 0);
                    b.AddInt(13, o.Shift, 0);
                    return b.EndTable();
                case QLinearSoftmaxOptions o:
                    {
                        int t = Vec(b, o.Table);
                        b.StartTable(3);
                        b.AddOffset(0, t);
                        b.AddFloat(1, o.OutputMultiplier, 0f);
                        b.AddInt(2, o.OutputZeroPoint, 0);
                        return b.EndTable();
                    }
                case DynamicConv2DOptions o:
                    {
                        int ws = Vec(b, o.WeightScale);
                        b.StartTable(12);
                        b.AddInt(0, o.StrideW, 1); b.AddInt(1, o.StrideH, 1);
                        b.AddInt(2, o.DilationW, 1); b.AddInt(3, o.DilationH, 1);
                        b.AddInt(4, o.PadTop, 0); b.AddInt(5, o.PadLeft, 0); b.AddInt(6, o.PadBottom, 0); b.AddInt(7, o.PadRight, 0);
                        b.AddInt(8, o.Group, 1);
                        b.AddOffset(9, ws);
                        b.AddFloat(10, o.ActMin, -float.MaxValue); b.AddFloat(11, o.ActMax, float.MaxValue);
                        return b.EndTable();
                    }
                case DynamicFullyConnectedOptions o:
                    {
                        int ws = Vec(b, o.WeightScale);
                        b.StartTable(3);
                        b.AddOffset(0, ws);
                        b.AddFloat(1, o.ActMin, -float.MaxValue); b.AddFloat(2, o.ActMax, float.MaxValue);
                        return b.EndTable();
                    }
                case TransposeOptions o:
                    {
                        int perm = Vec(b, o.Perm);
                        b.StartTable(1);
                        b.AddOffset(0, perm);
                        return b.EndTable();
                    }
                case StridedSliceOptions o:
                    {
                        int begin = Vec(b, o.Begin), end = Vec(b, o.End), strides = Vec(b, o.Strides);
                        b.StartTable(3);
                        b.AddOffset(0, begin); b.AddOffset(1, end); b.AddOffset(2, strides);
                        return b.EndTable();
                    }
                case IntegerArithmeticOptions o:
                    b.StartTable(2);
                    b.AddInt(0, o.ActMin, int.MinValue); b.AddInt(1, o.ActMax, int.MaxValue);
                    return b.EndTable();
                case SignalWindowOptions o:
                    b.StartTable(1);
                    b.AddInt(0, o.Shift, 0);
                    return b.EndTable();
                case SignalRfftOptions o:
                    {
                        int f = Vec(b, o.Factors), tw = Vec(b, o.Twiddles), st = Vec(b, o.SuperTwiddles);
                        b.StartTable(4);
                        b.AddInt(0, o.FftLength, 0);
                        b.AddOffset(1, f); b.AddOffset(2, tw); b.AddOffset(3, st);
                        return b.EndTable();
                    }
                case SignalEnergyOptions o:
                    b.StartTable(2);
                    b.AddInt(0, o.StartIndex, 0); b.AddInt(1, o.EndIndex, 0);
                    return b.EndTable();
                case SignalFilterBankOptions o:
                    b.StartTable(1);
                    b.AddInt(0, o.NumChannels, 0);
                    return b.EndTable();
                case SignalSpectralSubtractionOptions o:
                    b.StartTable(9);
                    b.AddInt(0, o.NumChannels, 0); b.AddInt(1, o.Smoothing, 0); b.AddInt(2, o.OneMinusSmoothing, 0);
                    b.AddInt(3, o.AlternateSmoothing, 0); b.AddInt(4, o.AlternateOneMinusSmoothing, 0);
                    b.AddInt(5, o.SmoothingBits, 0); b.AddInt(6, o.SpectralSubtractionBits, 0); b.AddInt(7, o.MinSignalRemaining, 0);
                    b.AddBool(8, o.Clamping, false);
                    return b.EndTable();
                case SignalPcanOptions o:
                    b.StartTable(1);
                    b.AddInt(0, o.SnrShift, 0);
                    return b.EndTable();
                case SignalFilterBankLogOptions o:
                    b.StartTable(2);
                    b.AddInt(0, o.InputCorrectionBits, 0); b.AddInt(1, o.OutputScale, 0);
                    return b.EndTable();
                default:
                    throw new ArgumentException($"options class {options.GetType().Name} (union tag {options.UnionType}) is not serialisable");
            }
        }

        // ------------------------------------------------------------------------------------------------

        /// <summary>Checks what the format requires of the graph; throws <see cref="ArgumentException"/> on the first problem.</summary>
        public static void Validate(EdgeGraph g)
        {
            if (g == null) throw new ArgumentNullException(nameof(g));
            int n = g.Tensors.Count;
            if (g.ArenaBytes < 0) throw new ArgumentException($"arena_bytes {g.ArenaBytes} is negative");
            for (int i = 0; i < n; i++)
            {
                var t = g.Tensors[i] ?? throw new ArgumentException($"tensor {i} is null");
                string who = $"tensor {i} \"{t.Name}\"";
                if (t.Shape == null) throw new ArgumentException($"{who}: shape is null");
                foreach (int d in t.Shape) if (d < 0) throw new ArgumentException($"{who}: negative dimension in shape [{string.Join(",", t.Shape)}]");
                int size;
                try { size = t.SizeBytes; }
                catch (OverflowException) { throw new ArgumentException($"{who}: size overflows int32 (shape [{string.Join(",", t.Shape)}])"); }
                if (!Enum.IsDefined(typeof(DType), t.DType)) throw new ArgumentException($"{who}: unknown dtype {(int)t.DType}");
                if (t.Scales != null && t.ZeroPoints != null && t.Scales.Length > 0 && t.ZeroPoints.Length > 0 && t.Scales.Length != t.ZeroPoints.Length)
                    throw new ArgumentException($"{who}: {t.Scales.Length} scales but {t.ZeroPoints.Length} zero points");
                if (t.IsConstant)
                {
                    if (t.Data.Length != size) throw new ArgumentException($"{who}: constant data is {t.Data.Length} bytes, shape/dtype say {size}");
                }
                else
                {
                    if (t.ArenaOffset < 0) throw new ArgumentException($"{who}: activation has no arena offset (run the memory planner first)");
                    if ((long)t.ArenaOffset + size > g.ArenaBytes)
                        throw new ArgumentException($"{who}: arena range {t.ArenaOffset}..{(long)t.ArenaOffset + size} exceeds arena_bytes {g.ArenaBytes}");
                }
            }
            for (int k = 0; k < g.Ops.Count; k++)
            {
                var op = g.Ops[k] ?? throw new ArgumentException($"op {k} is null");
                string who = $"op {k} ({op.Type})";
                if (!Enum.IsDefined(typeof(OpType), op.Type)) throw new ArgumentException($"{who}: unknown op type {(int)op.Type}");
                if (op.Inputs == null || op.Outputs == null) throw new ArgumentException($"{who}: inputs/outputs are null");
                foreach (int t in op.Inputs) if (t < -1 || t >= n) throw new ArgumentException($"{who}: input tensor {t} out of range (-1..{n - 1})");
                foreach (int t in op.Outputs) if (t < 0 || t >= n) throw new ArgumentException($"{who}: output tensor {t} out of range (0..{n - 1})");
                if (op.Options != null && (op.Options.UnionType <= OptionsType.None || op.Options.UnionType >= OptionsType.Count))
                    throw new ArgumentException($"{who}: options union tag {op.Options.UnionType} out of range");
            }
            foreach (int t in g.Inputs) if (t < 0 || t >= n) throw new ArgumentException($"model input tensor {t} out of range (0..{n - 1})");
            if (g.SelfTest != null)
            {
                if (g.SelfTest.Inputs.Count != g.Inputs.Count || g.SelfTest.Outputs.Count != g.Outputs.Count)
                    throw new ArgumentException("self-test needs one byte image per model input and output");
                for (int i = 0; i < g.Inputs.Count; i++)
                    if (g.SelfTest.Inputs[i].Length != g.Tensors[g.Inputs[i]].SizeBytes) throw new ArgumentException($"self-test input {i} has the wrong size");
                for (int i = 0; i < g.Outputs.Count; i++)
                    if (g.SelfTest.Outputs[i].Length != g.Tensors[g.Outputs[i]].SizeBytes) throw new ArgumentException($"self-test output {i} has the wrong size");
            }
            foreach (int t in g.Outputs) if (t < 0 || t >= n) throw new ArgumentException($"model output tensor {t} out of range (0..{n - 1})");
            foreach (int t in g.StateTensors)
                if (t < 0 || t >= n || g.Tensors[t].IsConstant) throw new ArgumentException($"state tensor {t} is out of range or a constant");
            if (g.Metadata != null)
                foreach (var kv in g.Metadata.OpCounts)
                    if (!Enum.IsDefined(typeof(OpType), kv.Key)) throw new ArgumentException($"metadata op count for unknown op type {(int)kv.Key}");
        }
    }
}
