using System;
using System.Collections.Generic;
using System.Text;
using Edge.Converter.FlatBuffers;

namespace Edge.SampleGen
{
    /// <summary>
    /// Writes a quantized MLP as a TFLite FlatBuffer (schema: tensorflow/lite/schema/schema.fbs, identifier
    /// "TFL3", Model.version 3): one subgraph "main" of FULLY_CONNECTED operators, buffer 0 the empty sentinel,
    /// one buffer per tensor (empty for activations, as the TFLite converter does), per-channel weights and
    /// biases (quantized_dimension 0), per-tensor activations.
    /// </summary>
    public static class TfliteModelWriter
    {
        // schema.fbs field slots (declaration order; a union takes two slots: _type, then the value).
        private static class ModelF { public const int Version = 0, OperatorCodes = 1, Subgraphs = 2, Description = 3, Buffers = 4, Count = 5; }
        private static class OpCodeF { public const int DeprecatedBuiltinCode = 0, Version = 2, BuiltinCode = 3, Count = 4; }
        private static class SubGraphF { public const int Tensors = 0, Inputs = 1, Outputs = 2, Operators = 3, Name = 4, Count = 5; }
        private static class TensorF { public const int Shape = 0, Type = 1, Buffer = 2, Name = 3, Quantization = 4, Count = 5; }
        private static class QuantF { public const int Scale = 2, ZeroPoint = 3, QuantizedDimension = 6, Count = 7; }
        private static class OperatorF { public const int OpcodeIndex = 0, Inputs = 1, Outputs = 2, BuiltinOptionsType = 3, BuiltinOptions = 4, Count = 5; }
        private static class FullyConnectedOptionsF { public const int FusedActivationFunction = 0, Count = 1; }
        private static class BufferF { public const int Data = 0, Count = 1; }

        public const sbyte TensorTypeInt32 = 2, TensorTypeInt8 = 9;
        public const int BuiltinFullyConnected = 9;
        /// <summary>TFLite's op version for int8 × int8 → int8 FULLY_CONNECTED with a bias (op_version.cc).</summary>
        public const int FullyConnectedInt8Version = 4;
        public const byte BuiltinOptionsFullyConnected = 8; // union BuiltinOptions: NONE = 0, ..., FullyConnectedOptions = 8
        public const sbyte ActivationNone = 0, ActivationRelu = 1;

        private sealed class TensorDef
        {
            public string Name;
            public int[] Shape;
            public sbyte Type;
            public byte[] Data;           // null for activations
            public float[] Scales;
            public long[] ZeroPoints;
            public int QuantizedDimension;
        }

        public static byte[] Write(QuantizedMlp model, string description)
        {
            var tensors = new List<TensorDef>();
            int Add(TensorDef t) { tensors.Add(t); return tensors.Count - 1; }

            int input = Add(new TensorDef
            {
                Name = "x", Shape = new[] { 1, 1 }, Type = TensorTypeInt8,
                Scales = new[] { model.Input.Scale }, ZeroPoints = new long[] { model.Input.ZeroPoint },
            });
            var ops = new List<(int[] inputs, int output, sbyte act)>();
            int prev = input;
            for (int l = 0; l < model.Layers.Length; l++)
            {
                var d = model.Layers[l];
                bool last = l == model.Layers.Length - 1;
                var wBytes = new byte[d.Weights.Length];
                for (int i = 0; i < wBytes.Length; i++) wBytes[i] = unchecked((byte)d.Weights[i]);
                var bBytes = new byte[d.Bias.Length * 4];
                for (int i = 0; i < d.Bias.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bBytes.AsSpan(4 * i), d.Bias[i]);
                int w = Add(new TensorDef
                {
                    Name = $"sine/{d.Name}/weights", Shape = new[] { d.Units, d.Depth }, Type = TensorTypeInt8, Data = wBytes,
                    Scales = d.WeightScales, ZeroPoints = new long[d.Units], QuantizedDimension = 0,
                });
                int b = Add(new TensorDef
                {
                    Name = $"sine/{d.Name}/bias", Shape = new[] { d.Units }, Type = TensorTypeInt32, Data = bBytes,
                    Scales = d.BiasScales, ZeroPoints = new long[d.Units], QuantizedDimension = 0,
                });
                int o = Add(new TensorDef
                {
                    Name = last ? "y" : $"sine/{d.Name}/relu", Shape = new[] { 1, d.Units }, Type = TensorTypeInt8,
                    Scales = new[] { d.Output.Scale }, ZeroPoints = new long[] { d.Output.ZeroPoint },
                });
                ops.Add((new[] { prev, w, b }, o, d.Relu ? ActivationRelu : ActivationNone));
                prev = o;
            }
            int output = prev;

            var fb = new FlatBufferBuilder(4096);

            // Buffers: 0 is the empty sentinel, tensor i uses buffer i + 1 (empty for activations).
            var bufferOffsets = new int[tensors.Count + 1];
            var dataVectors = new int[tensors.Count];
            for (int i = 0; i < tensors.Count; i++)
                if (tensors[i].Data != null) dataVectors[i] = fb.CreateByteVector(tensors[i].Data, 16); // data:[ubyte] (force_align: 16)
            bufferOffsets[0] = EmptyTable(fb, BufferF.Count);
            for (int i = 0; i < tensors.Count; i++)
            {
                fb.StartTable(BufferF.Count);
                fb.AddOffset(BufferF.Data, dataVectors[i]);
                bufferOffsets[i + 1] = fb.EndTable();
            }
            int buffersVec = fb.CreateOffsetVector(bufferOffsets);

            // Tensors.
            var tensorOffsets = new int[tensors.Count];
            for (int i = 0; i < tensors.Count; i++)
            {
                var t = tensors[i];
                int scale = fb.CreateVector(t.Scales);
                int zp = fb.CreateVector(t.ZeroPoints);
                fb.StartTable(QuantF.Count);
                fb.AddOffset(QuantF.Scale, scale);
                fb.AddOffset(QuantF.ZeroPoint, zp);
                fb.AddInt(QuantF.QuantizedDimension, t.QuantizedDimension, 0);
                int quant = fb.EndTable();
                int shape = fb.CreateVector(t.Shape);
                int name = fb.CreateString(t.Name);
                fb.StartTable(TensorF.Count);
                fb.AddOffset(TensorF.Shape, shape);
                fb.AddUint(TensorF.Buffer, (uint)(i + 1), 0);
                fb.AddOffset(TensorF.Name, name);
                fb.AddOffset(TensorF.Quantization, quant);
                fb.AddSbyte(TensorF.Type, t.Type, 0);
                tensorOffsets[i] = fb.EndTable();
            }
            int tensorsVec = fb.CreateOffsetVector(tensorOffsets);

            // Operators.
            var opOffsets = new int[ops.Count];
            for (int i = 0; i < ops.Count; i++)
            {
                var (ins, outIdx, act) = ops[i];
                int insVec = fb.CreateVector(ins);
                int outsVec = fb.CreateVector(new[] { outIdx });
                fb.StartTable(FullyConnectedOptionsF.Count);
                fb.AddSbyte(FullyConnectedOptionsF.FusedActivationFunction, act, ActivationNone);
                int options = fb.EndTable();
                fb.StartTable(OperatorF.Count);
                fb.AddUint(OperatorF.OpcodeIndex, 0, 0);
                fb.AddOffset(OperatorF.Inputs, insVec);
                fb.AddOffset(OperatorF.Outputs, outsVec);
                fb.AddOffset(OperatorF.BuiltinOptions, options);
                fb.AddByte(OperatorF.BuiltinOptionsType, BuiltinOptionsFullyConnected, 0);
                opOffsets[i] = fb.EndTable();
            }
            int opsVec = fb.CreateOffsetVector(opOffsets);

            int sgInputs = fb.CreateVector(new[] { input });
            int sgOutputs = fb.CreateVector(new[] { output });
            int sgName = fb.CreateString("main");
            fb.StartTable(SubGraphF.Count);
            fb.AddOffset(SubGraphF.Tensors, tensorsVec);
            fb.AddOffset(SubGraphF.Inputs, sgInputs);
            fb.AddOffset(SubGraphF.Outputs, sgOutputs);
            fb.AddOffset(SubGraphF.Operators, opsVec);
            fb.AddOffset(SubGraphF.Name, sgName);
            int subgraph = fb.EndTable();
            int subgraphsVec = fb.CreateOffsetVector(new[] { subgraph });

            // One operator code: FULLY_CONNECTED in both the deprecated byte and the int32 field.
            fb.StartTable(OpCodeF.Count);
            fb.AddInt(OpCodeF.BuiltinCode, BuiltinFullyConnected, 0);
            fb.AddInt(OpCodeF.Version, FullyConnectedInt8Version, 1);
            fb.AddSbyte(OpCodeF.DeprecatedBuiltinCode, (sbyte)BuiltinFullyConnected, 0);
            int opcode = fb.EndTable();
            int opcodesVec = fb.CreateOffsetVector(new[] { opcode });

            int desc = fb.CreateString(description);
            fb.StartTable(ModelF.Count);
            fb.AddUint(ModelF.Version, 3, 0);
            fb.AddOffset(ModelF.OperatorCodes, opcodesVec);
            fb.AddOffset(ModelF.Subgraphs, subgraphsVec);
            fb.AddOffset(ModelF.Description, desc);
            fb.AddOffset(ModelF.Buffers, buffersVec);
            int root = fb.EndTable();
            fb.Finish(root, "TFL3");
            return fb.ToArray();
        }

        private static int EmptyTable(FlatBufferBuilder fb, int fields)
        {
            fb.StartTable(fields);
            return fb.EndTable();
        }
    }
}
