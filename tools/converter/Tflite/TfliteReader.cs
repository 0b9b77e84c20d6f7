using System;
using System.Collections.Generic;
using System.IO;
using Edge.Converter.FlatBuffers;

namespace Edge.Converter.Tflite
{
    /// <summary>
    /// Reads a .tflite file (TFLite FlatBuffers schema, file identifier "TFL3", schema version 3) into a
    /// <see cref="TfliteModel"/>. Everything is validated while reading: every offset, table, vector and string
    /// must lie inside the file, every tensor/buffer/opcode index must be in range. Any problem raises
    /// <see cref="TfliteFormatException"/> naming the object being read.
    /// </summary>
    public static class TfliteReader
    {
        public const string FileIdentifier = "TFL3";
        public const uint SchemaVersion = 3;

        // Field indices (schema declaration order; a union takes two: _type then value).
        private static class ModelF { public const int Version = 0, OperatorCodes = 1, Subgraphs = 2, Description = 3, Buffers = 4, MetadataBuffer = 5, Metadata = 6; }
        private static class OpCodeF { public const int DeprecatedBuiltinCode = 0, CustomCode = 1, Version = 2, BuiltinCode = 3; }
        private static class SubGraphF { public const int Tensors = 0, Inputs = 1, Outputs = 2, Operators = 3, Name = 4; }
        private static class TensorF { public const int Shape = 0, Type = 1, Buffer = 2, Name = 3, Quantization = 4, IsVariable = 5, Sparsity = 6, ShapeSignature = 7; }
        private static class QuantF { public const int Min = 0, Max = 1, Scale = 2, ZeroPoint = 3, DetailsType = 4, QuantizedDimension = 6; }
        private static class OperatorF
        {
            public const int OpcodeIndex = 0, Inputs = 1, Outputs = 2, BuiltinOptionsType = 3, CustomOptions = 5,
                CustomOptionsFormat = 6, Intermediates = 8, LargeCustomOptionsOffset = 9, LargeCustomOptionsSize = 10, BuiltinOptions2Type = 11;
        }
        private static class BufferF { public const int Data = 0, Offset = 1, Size = 2; }
        private static class MetadataF { public const int Name = 0, Buffer = 1; }

        /// <summary>Reads and validates the file at <paramref name="path"/>.</summary>
        public static TfliteModel ReadFile(string path)
        {
            byte[] bytes;
            try { bytes = File.ReadAllBytes(path); }
            catch (IOException e) { throw new TfliteFormatException($"{path}: cannot read: {e.Message}", e); }
            try { return Read(bytes); }
            catch (TfliteFormatException e) { throw new TfliteFormatException($"{path}: {e.Message}", e); }
        }

        /// <summary>Reads and validates a whole .tflite file image.</summary>
        public static TfliteModel Read(byte[] file)
        {
            if (file == null) throw new ArgumentNullException(nameof(file));
            if (file.Length < 8) throw new TfliteFormatException($"file is {file.Length} bytes; too short for a TFLite model");
            var r = new FlatBufferReader(file);
            if (r.FileIdentifier != FileIdentifier)
                throw new TfliteFormatException($"not a TFLite model: file identifier is \"{Printable(r.FileIdentifier)}\", expected \"{FileIdentifier}\"");

            var m = new TfliteModel();
            FlatTable root = At("model root", () => r.Root());
            At("model header", () =>
            {
                m.Version = root.GetUint(ModelF.Version);
                if (m.Version != SchemaVersion) throw new TfliteFormatException($"unsupported TFLite schema version {m.Version} (expected {SchemaVersion})");
                m.Description = root.GetString(ModelF.Description);
            });

            FlatVector buffers = At("buffers", () => root.GetVector(ModelF.Buffers, 4));
            var dataCache = new Dictionary<long, byte[]>();
            for (int i = 0; i < buffers.Length; i++)
            {
                int bi = i;
                m.Buffers.Add(At($"buffer {i}", () => ReadBuffer(r, buffers.GetTable(bi), dataCache)));
            }

            FlatVector codes = At("operator_codes", () => root.GetVector(ModelF.OperatorCodes, 4));
            for (int i = 0; i < codes.Length; i++)
            {
                int ci = i;
                m.OperatorCodes.Add(At($"operator code {i}", () => ReadOpCode(codes.GetTable(ci))));
            }

            FlatVector subgraphs = At("subgraphs", () => root.GetVector(ModelF.Subgraphs, 4));
            if (subgraphs.Length == 0) throw new TfliteFormatException("model has no subgraphs");
            m.SubgraphCount = subgraphs.Length;
            FlatTable sg = At("subgraph 0", () => subgraphs.GetTable(0));
            m.Subgraph = ReadSubgraph(sg, m);

            FlatVector meta = At("metadata", () => root.GetVector(ModelF.Metadata, 4));
            for (int i = 0; i < meta.Length; i++)
            {
                int mi = i;
                m.Metadata.Add(At($"metadata {i}", () =>
                {
                    FlatTable t = meta.GetTable(mi);
                    var md = new TfliteMetadata { Name = t.GetString(MetadataF.Name), Buffer = CheckIndex(t.GetUint(MetadataF.Buffer), m.Buffers.Count, "buffer") };
                    return md;
                }));
            }
            return m;
        }

        private static TfliteBuffer ReadBuffer(FlatBufferReader r, FlatTable t, Dictionary<long, byte[]> cache)
        {
            var b = new TfliteBuffer { Offset = t.GetUlong(BufferF.Offset), Size = t.GetUlong(BufferF.Size) };
            if (b.Offset > 1)
            {
                // Data stored after the FlatBuffer (models > 2 GB); offset is relative to the start of the file.
                if (b.Offset > (ulong)r.Length || b.Size > (ulong)r.Length - b.Offset)
                    throw new TfliteFormatException($"external data at offset {b.Offset} (+{b.Size} bytes) lies outside the file (length {r.Length})");
                long key = -1 - (long)b.Offset; // negative keys: external ranges (distinct from vector positions)
                if (!cache.TryGetValue(key, out var d) || d.Length != (int)b.Size)
                {
                    r.Charge((long)b.Size);
                    d = r.Data.Slice((int)b.Offset, (int)b.Size).ToArray();
                    cache[key] = d;
                }
                b.Data = d;
                return b;
            }
            FlatVector data = t.GetVector(BufferF.Data, 1);
            if (!data.IsNull && data.Length > 0)
            {
                // Hostile files can point many buffers at one vector; share the array instead of copying again.
                if (!cache.TryGetValue(data.Position, out var d))
                {
                    d = data.ToByteArray();
                    cache[data.Position] = d;
                }
                b.Data = d;
            }
            return b;
        }

        private static TfliteOperatorCode ReadOpCode(FlatTable t)
        {
            var c = new TfliteOperatorCode
            {
                DeprecatedBuiltinCode = t.GetSbyte(OpCodeF.DeprecatedBuiltinCode),
                CustomCode = t.GetString(OpCodeF.CustomCode),
                Version = t.GetInt(OpCodeF.Version, 1),
                ExtendedBuiltinCode = t.GetInt(OpCodeF.BuiltinCode),
            };
            // TFLite's GetBuiltinCode: the larger of the two fields (old files only set the deprecated byte,
            // new files set the deprecated byte to 127 = PLACEHOLDER_FOR_GREATER_OP_CODES for codes above it).
            c.BuiltinCode = Math.Max(c.DeprecatedBuiltinCode, c.ExtendedBuiltinCode);
            if (c.BuiltinCode < 0) throw new TfliteFormatException($"invalid builtin code {c.BuiltinCode}");
            return c;
        }

        private static TfliteSubgraph ReadSubgraph(FlatTable sg, TfliteModel m)
        {
            var s = new TfliteSubgraph();
            s.Name = At("subgraph 0 name", () => sg.GetString(SubGraphF.Name));

            FlatVector tensors = At("subgraph 0 tensors", () => sg.GetVector(SubGraphF.Tensors, 4));
            for (int i = 0; i < tensors.Length; i++)
            {
                int ti = i;
                s.Tensors.Add(At($"tensor {i}", () => ReadTensor(tensors.GetTable(ti), ti, m)));
            }
            int nt = s.Tensors.Count;

            s.Inputs = At("subgraph 0 inputs", () => CheckTensorList(sg.GetVector(SubGraphF.Inputs, 4).ToIntArray(), nt, allowAbsent: false));
            s.Outputs = At("subgraph 0 outputs", () => CheckTensorList(sg.GetVector(SubGraphF.Outputs, 4).ToIntArray(), nt, allowAbsent: false));

            FlatVector ops = At("subgraph 0 operators", () => sg.GetVector(SubGraphF.Operators, 4));
            for (int i = 0; i < ops.Length; i++)
            {
                int oi = i;
                s.Operators.Add(At($"operator {i}", () => ReadOperator(ops.GetTable(oi), oi, m, nt)));
            }
            return s;
        }

        private static TfliteTensor ReadTensor(FlatTable t, int index, TfliteModel m)
        {
            var x = new TfliteTensor
            {
                Index = index,
                Name = t.GetString(TensorF.Name) ?? "",
                Type = (TfliteTensorType)t.GetSbyte(TensorF.Type),
                Shape = t.GetVector(TensorF.Shape, 4).ToIntArray(),
                IsVariable = t.GetBool(TensorF.IsVariable),
                HasSparsity = t.Has(TensorF.Sparsity),
            };
            foreach (int d in x.Shape)
                if (d < 0) throw new TfliteFormatException($"\"{x.Name}\" has negative dimension {d} in shape [{string.Join(",", x.Shape)}]");
            var sig = t.GetVector(TensorF.ShapeSignature, 4);
            x.ShapeSignature = sig.IsNull ? null : sig.ToIntArray();
            x.Buffer = CheckIndex(t.GetUint(TensorF.Buffer), m.Buffers.Count, "buffer");

            FlatTable q = t.GetTable(TensorF.Quantization);
            if (!q.IsNull)
            {
                x.Quantization = new TfliteQuantization
                {
                    Min = q.GetVector(QuantF.Min, 4).ToFloatArray(),
                    Max = q.GetVector(QuantF.Max, 4).ToFloatArray(),
                    Scale = q.GetVector(QuantF.Scale, 4).ToFloatArray(),
                    ZeroPoint = q.GetVector(QuantF.ZeroPoint, 8).ToLongArray(),
                    DetailsType = q.GetByte(QuantF.DetailsType),
                    QuantizedDimension = q.GetInt(QuantF.QuantizedDimension),
                };
            }
            return x;
        }

        private static TfliteOperator ReadOperator(FlatTable t, int index, TfliteModel m, int tensorCount)
        {
            var op = new TfliteOperator
            {
                Index = index,
                OpcodeIndex = CheckIndex(t.GetUint(OperatorF.OpcodeIndex), m.OperatorCodes.Count, "opcode"),
                Inputs = CheckTensorList(t.GetVector(OperatorF.Inputs, 4).ToIntArray(), tensorCount, allowAbsent: true),
                Outputs = CheckTensorList(t.GetVector(OperatorF.Outputs, 4).ToIntArray(), tensorCount, allowAbsent: true),
                Intermediates = CheckTensorList(t.GetVector(OperatorF.Intermediates, 4).ToIntArray(), tensorCount, allowAbsent: true),
                CustomOptionsFormat = t.GetByte(OperatorF.CustomOptionsFormat),
                BuiltinOptions2Type = t.GetByte(OperatorF.BuiltinOptions2Type),
            };
            var custom = t.GetVector(OperatorF.CustomOptions, 1);
            if (!custom.IsNull) op.CustomOptions = custom.ToByteArray();
            ulong lcoOffset = t.GetUlong(OperatorF.LargeCustomOptionsOffset), lcoSize = t.GetUlong(OperatorF.LargeCustomOptionsSize);
            if (lcoOffset > 1)
            {
                var r = t.Reader;
                if (lcoOffset > (ulong)r.Length || lcoSize > (ulong)r.Length - lcoOffset)
                    throw new TfliteFormatException($"large custom options at offset {lcoOffset} (+{lcoSize} bytes) lie outside the file (length {r.Length})");
                r.Charge((long)lcoSize);
                op.CustomOptions = r.Data.Slice((int)lcoOffset, (int)lcoSize).ToArray();
            }

            op.BuiltinOptionsType = t.GetUnion(OperatorF.BuiltinOptionsType, out FlatTable o);
            op.BuiltinOptions = ReadOptions(op.BuiltinOptionsType, o);
            return op;
        }

        /// <summary>Decodes the options tables the converter uses; null for NONE and for other types.</summary>
        private static TfliteOptions ReadOptions(byte type, FlatTable o)
        {
            if (type == TfliteBuiltinOptionsType.None) return null;
            if (o.IsNull)
                throw new TfliteFormatException($"builtin_options_type is {type} but builtin_options is missing");
            switch (type)
            {
                case TfliteBuiltinOptionsType.Conv2DOptions:
                    return new TfliteConv2DOptions
                    {
                        Padding = (TflitePadding)o.GetSbyte(0),
                        StrideW = o.GetInt(1),
                        StrideH = o.GetInt(2),
                        FusedActivation = (TfliteActivation)o.GetSbyte(3),
                        DilationWFactor = o.GetInt(4, 1),
                        DilationHFactor = o.GetInt(5, 1),
                        QuantizedBiasType = (TfliteTensorType)o.GetSbyte(6),
                    };
                case TfliteBuiltinOptionsType.DepthwiseConv2DOptions:
                    return new TfliteDepthwiseConv2DOptions
                    {
                        Padding = (TflitePadding)o.GetSbyte(0),
                        StrideW = o.GetInt(1),
                        StrideH = o.GetInt(2),
                        DepthMultiplier = o.GetInt(3),
                        FusedActivation = (TfliteActivation)o.GetSbyte(4),
                        DilationWFactor = o.GetInt(5, 1),
                        DilationHFactor = o.GetInt(6, 1),
                    };
                case TfliteBuiltinOptionsType.Pool2DOptions:
                    return new TflitePool2DOptions
                    {
                        Padding = (TflitePadding)o.GetSbyte(0),
                        StrideW = o.GetInt(1),
                        StrideH = o.GetInt(2),
                        FilterWidth = o.GetInt(3),
                        FilterHeight = o.GetInt(4),
                        FusedActivation = (TfliteActivation)o.GetSbyte(5),
                    };
                case TfliteBuiltinOptionsType.FullyConnectedOptions:
                    return new TfliteFullyConnectedOptions
                    {
                        FusedActivation = (TfliteActivation)o.GetSbyte(0),
                        WeightsFormat = (TfliteFullyConnectedWeightsFormat)o.GetSbyte(1),
                        KeepNumDims = o.GetBool(2),
                        AsymmetricQuantizeInputs = o.GetBool(3),
                        QuantizedBiasType = (TfliteTensorType)o.GetSbyte(4),
                    };
                case TfliteBuiltinOptionsType.SoftmaxOptions:
                    return new TfliteSoftmaxOptions { Beta = o.GetFloat(0) };
                case TfliteBuiltinOptionsType.ConcatenationOptions:
                    return new TfliteConcatenationOptions { Axis = o.GetInt(0), FusedActivation = (TfliteActivation)o.GetSbyte(1) };
                case TfliteBuiltinOptionsType.AddOptions:
                    return new TfliteAddOptions { FusedActivation = (TfliteActivation)o.GetSbyte(0), PotScaleInt16 = o.GetBool(1, true) };
                case TfliteBuiltinOptionsType.SubOptions:
                    return new TfliteSubOptions { FusedActivation = (TfliteActivation)o.GetSbyte(0), PotScaleInt16 = o.GetBool(1, true) };
                case TfliteBuiltinOptionsType.MulOptions:
                    return new TfliteMulOptions { FusedActivation = (TfliteActivation)o.GetSbyte(0) };
                case TfliteBuiltinOptionsType.DivOptions:
                    return new TfliteDivOptions { FusedActivation = (TfliteActivation)o.GetSbyte(0) };
                case TfliteBuiltinOptionsType.ReshapeOptions:
                    {
                        var v = o.GetVector(0, 4);
                        return new TfliteReshapeOptions { NewShape = v.IsNull ? null : v.ToIntArray() };
                    }
                case TfliteBuiltinOptionsType.SqueezeOptions:
                    return new TfliteSqueezeOptions { SqueezeDims = o.GetVector(0, 4).ToIntArray() };
                case TfliteBuiltinOptionsType.StridedSliceOptions:
                    return new TfliteStridedSliceOptions
                    {
                        BeginMask = o.GetInt(0),
                        EndMask = o.GetInt(1),
                        EllipsisMask = o.GetInt(2),
                        NewAxisMask = o.GetInt(3),
                        ShrinkAxisMask = o.GetInt(4),
                        Offset = o.GetBool(5),
                    };
                case TfliteBuiltinOptionsType.ReducerOptions:
                    return new TfliteReducerOptions { KeepDims = o.GetBool(0) };
                case TfliteBuiltinOptionsType.LeakyReluOptions:
                    return new TfliteLeakyReluOptions { Alpha = o.GetFloat(0) };
                case TfliteBuiltinOptionsType.PadOptions:
                case TfliteBuiltinOptionsType.PadV2Options:
                case TfliteBuiltinOptionsType.TransposeOptions:
                case TfliteBuiltinOptionsType.QuantizeOptions:
                case TfliteBuiltinOptionsType.DequantizeOptions:
                case TfliteBuiltinOptionsType.HardSwishOptions:
                    return new TfliteEmptyOptions(type);
                default:
                    return null;
            }
        }

        // ---- helpers ----

        private static int CheckIndex(uint value, int count, string what)
        {
            if (value >= (uint)count) throw new TfliteFormatException($"{what} index {value} out of range (0..{count - 1})");
            return (int)value;
        }

        private static int[] CheckTensorList(int[] list, int tensorCount, bool allowAbsent)
        {
            foreach (int t in list)
            {
                if (t == -1 && allowAbsent) continue;
                if (t < 0 || t >= tensorCount)
                    throw new TfliteFormatException($"tensor index {t} out of range (0..{tensorCount - 1})");
            }
            return list;
        }

        private static string Printable(string s)
        {
            if (s == null) return "";
            var chars = s.ToCharArray();
            for (int i = 0; i < chars.Length; i++) if (chars[i] < 0x20 || chars[i] > 0x7E) chars[i] = '?';
            return new string(chars);
        }

        /// <summary>Runs <paramref name="f"/>, turning FlatBuffers errors into TfliteFormatException with context.</summary>
        private static T At<T>(string context, Func<T> f)
        {
            try { return f(); }
            catch (FlatBufferFormatException e) { throw new TfliteFormatException($"{context}: {e.Message}", e); }
            catch (TfliteFormatException e) { throw new TfliteFormatException($"{context}: {e.Message}", e); }
        }

        private static void At(string context, Action f) => At<object>(context, () => { f(); return null; });
    }
}
