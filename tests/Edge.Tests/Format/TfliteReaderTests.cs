using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Edge.Converter.Tflite;
using Xunit;

namespace Edge.Tests.Format
{
    public class TfliteReaderTests
    {
        public static IEnumerable<object[]> Models() => FormatTestEnvironment.ModelCases().Select(c => new object[] { c });

        [ConformanceTheory(needsFlatc: true)]
        [MemberData(nameof(Models))]
        public void ConformanceModel_MatchesFlatcDecoding(string caseName)
        {
            string path = FormatTestEnvironment.ModelPath(caseName);
            byte[] bytes = File.ReadAllBytes(path);
            TfliteModel m = TfliteReader.Read(bytes);
            using var doc = FormatTestEnvironment.FlatcToJson(FormatTestEnvironment.TfliteSchemaFlatc2, path);
            new TfliteJsonComparer(FormatTestEnvironment.TfliteSchemaFlatc2).Compare(m, doc.RootElement, bytes);
            Assert.NotEmpty(m.Operators);
        }

        [ConformanceTheory]
        [MemberData(nameof(Models))]
        public void ConformanceModel_InputsAndOutputs_MatchManifest(string caseName)
        {
            TfliteModel m = TfliteReader.ReadFile(FormatTestEnvironment.ModelPath(caseName));
            using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(FormatTestEnvironment.TfliteDir, caseName, "manifest.json")));
            void Check(JsonElement list, int[] indices)
            {
                var entries = list.EnumerateArray().ToArray();
                Assert.Equal(entries.Length, indices.Length);
                for (int i = 0; i < entries.Length; i++)
                {
                    var e = entries[i];
                    var t = m.Tensors[indices[i]];
                    Assert.Equal(e.GetProperty("index").GetInt32(), indices[i]);
                    Assert.Equal(e.GetProperty("name").GetString(), t.Name);
                    Assert.Equal(e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray(), t.Shape);
                    Assert.Equal(e.GetProperty("dtype").GetString(), t.Type.ToString().ToLowerInvariant());
                    // The manifest's scale is the shortest decimal that round-trips to the same float32.
                    Assert.Equal((float)e.GetProperty("scale").GetDouble(), t.Quantization.Scale[0]);
                    Assert.Equal(e.GetProperty("zero_point").GetInt64(), t.Quantization.ZeroPoint[0]);
                }
            }
            Check(manifest.RootElement.GetProperty("input_tensors"), m.Inputs);
            Check(manifest.RootElement.GetProperty("output_tensors"), m.Outputs);
        }

        /// <summary>
        /// A synthetic model (JSON written here, compiled by flatc) exercising every options table the reader decodes,
        /// old-style and extended op codes, a custom op, per-channel int64 zero points, a variable tensor, optional
        /// (-1) inputs, intermediates, custom options, metadata, and a buffer stored outside the FlatBuffer.
        /// </summary>
        internal const string SyntheticJson = """
        {
          "version": 3,
          "description": "synthetic reader test",
          "operator_codes": [
            { "deprecated_builtin_code": 3, "builtin_code": "CONV_2D", "version": 3 },
            { "deprecated_builtin_code": 4, "version": 2 },
            { "deprecated_builtin_code": 127, "builtin_code": "GELU" },
            { "deprecated_builtin_code": 117, "builtin_code": "HARD_SWISH" },
            { "deprecated_builtin_code": 32, "builtin_code": "CUSTOM", "custom_code": "MyCustomOp" },
            { "deprecated_builtin_code": 9, "builtin_code": "FULLY_CONNECTED", "version": 9 }
          ],
          "subgraphs": [{
            "name": "main",
            "tensors": [
              { "name": "in", "type": "INT8", "shape": [1, 8, 8, 3], "shape_signature": [-1, 8, 8, 3],
                "quantization": { "scale": [0.5], "zero_point": [-7], "min": [-1.5], "max": [2.25] } },
              { "name": "w", "type": "INT8", "shape": [4, 3, 3, 3], "buffer": 1,
                "quantization": { "scale": [0.25, 0.125, 0.0625, 2.0], "zero_point": [0, 1, -2, 5000000000], "quantized_dimension": 0 } },
              { "name": "state", "type": "INT16", "shape": [2, 2], "is_variable": true, "buffer": 2 },
              { "name": "out", "type": "INT8", "shape": [1, 4, 4, 4] },
              { "name": "float_t", "type": "FLOAT32", "shape": [] }
            ],
            "inputs": [0],
            "outputs": [3, 4],
            "operators": [
              { "opcode_index": 0, "inputs": [0, 1, -1], "outputs": [3], "builtin_options_type": "Conv2DOptions",
                "builtin_options": { "padding": "VALID", "stride_w": 2, "stride_h": 3, "fused_activation_function": "RELU6",
                                     "dilation_w_factor": 4, "dilation_h_factor": 5, "quantized_bias_type": "INT64" } },
              { "opcode_index": 1, "inputs": [0, 1], "outputs": [3], "builtin_options_type": "DepthwiseConv2DOptions",
                "builtin_options": { "padding": "SAME", "stride_w": 1, "stride_h": 2, "depth_multiplier": 6,
                                     "fused_activation_function": "RELU", "dilation_w_factor": 7 } },
              { "opcode_index": 5, "inputs": [0, 1, -1], "outputs": [3], "builtin_options_type": "FullyConnectedOptions",
                "builtin_options": { "fused_activation_function": "RELU_N1_TO_1", "weights_format": "SHUFFLED4x16INT8",
                                     "keep_num_dims": true, "asymmetric_quantize_inputs": true } },
              { "opcode_index": 0, "inputs": [0], "outputs": [3], "builtin_options_type": "Pool2DOptions",
                "builtin_options": { "padding": "VALID", "stride_w": 2, "stride_h": 2, "filter_width": 3, "filter_height": 5,
                                     "fused_activation_function": "TANH" } },
              { "opcode_index": 0, "inputs": [0, 3], "outputs": [3], "builtin_options_type": "AddOptions",
                "builtin_options": { "fused_activation_function": "RELU", "pot_scale_int16": false } },
              { "opcode_index": 0, "inputs": [0, 3], "outputs": [3], "builtin_options_type": "SubOptions",
                "builtin_options": { "fused_activation_function": "RELU6" } },
              { "opcode_index": 0, "inputs": [0, 3], "outputs": [3], "builtin_options_type": "MulOptions",
                "builtin_options": { "fused_activation_function": "SIGN_BIT" } },
              { "opcode_index": 0, "inputs": [0], "outputs": [3], "builtin_options_type": "SoftmaxOptions",
                "builtin_options": { "beta": 0.75 } },
              { "opcode_index": 0, "inputs": [0, 3], "outputs": [3], "builtin_options_type": "ConcatenationOptions",
                "builtin_options": { "axis": -1, "fused_activation_function": "RELU" } },
              { "opcode_index": 0, "inputs": [0], "outputs": [3], "builtin_options_type": "ReshapeOptions",
                "builtin_options": { "new_shape": [1, -1, 12] } },
              { "opcode_index": 0, "inputs": [0], "outputs": [3], "builtin_options_type": "ReshapeOptions",
                "builtin_options": { } },
              { "opcode_index": 0, "inputs": [0], "outputs": [3], "builtin_options_type": "SqueezeOptions",
                "builtin_options": { "squeeze_dims": [0, 2] } },
              { "opcode_index": 0, "inputs": [0, 1, 1, 1], "outputs": [3], "builtin_options_type": "StridedSliceOptions",
                "builtin_options": { "begin_mask": 1, "end_mask": 2, "ellipsis_mask": 4, "new_axis_mask": 8, "shrink_axis_mask": 16, "offset": true } },
              { "opcode_index": 0, "inputs": [0, 1], "outputs": [3], "builtin_options_type": "ReducerOptions",
                "builtin_options": { "keep_dims": true } },
              { "opcode_index": 0, "inputs": [0], "outputs": [3], "builtin_options_type": "LeakyReluOptions",
                "builtin_options": { "alpha": 0.125 } },
              { "opcode_index": 0, "inputs": [0, 1], "outputs": [3], "builtin_options_type": "PadOptions", "builtin_options": { } },
              { "opcode_index": 0, "inputs": [0, 1, 1], "outputs": [3], "builtin_options_type": "PadV2Options", "builtin_options": { } },
              { "opcode_index": 0, "inputs": [0, 1], "outputs": [3], "builtin_options_type": "TransposeOptions", "builtin_options": { } },
              { "opcode_index": 3, "inputs": [0], "outputs": [3], "builtin_options_type": "HardSwishOptions", "builtin_options": { } },
              { "opcode_index": 0, "inputs": [0], "outputs": [3], "builtin_options_type": "QuantizeOptions", "builtin_options": { } },
              { "opcode_index": 0, "inputs": [3], "outputs": [4], "builtin_options_type": "DequantizeOptions", "builtin_options": { } },
              { "opcode_index": 0, "inputs": [0], "outputs": [3], "builtin_options_type": "GatherOptions",
                "builtin_options": { "axis": 1 } },
              { "opcode_index": 4, "inputs": [0, -1], "outputs": [3], "custom_options": [1, 2, 3, 250], "intermediates": [2] },
              { "opcode_index": 0, "inputs": [], "outputs": [3] }
            ]
          }],
          "buffers": [
            { },
            { "data": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17] },
            { "offset": EXT_OFFSET, "size": 8 }
          ],
          "metadata": [ { "name": "min_runtime_version", "buffer": 1 } ]
        }
        """;

        /// <summary>The synthetic model as bytes, with its external buffer (8 bytes) appended after the FlatBuffer.</summary>
        internal static byte[] BuildSyntheticModel(out string json)
        {
            string schema = FormatTestEnvironment.TfliteSchemaFlatc2;
            // Pass 1 with a placeholder offset (> 1 so the field is present), to learn the FlatBuffer's size.
            int len = FormatTestEnvironment.FlatcFromJson(schema, SyntheticJson.Replace("EXT_OFFSET", "2")).Length;
            int ext = (len + 15) / 16 * 16;
            json = SyntheticJson.Replace("EXT_OFFSET", ext.ToString());
            byte[] fb = FormatTestEnvironment.FlatcFromJson(schema, json);
            Assert.Equal(len, fb.Length);
            var file = new byte[ext + 8];
            fb.CopyTo(file, 0);
            for (int i = 0; i < 8; i++) file[ext + i] = (byte)(0xA0 + i);
            return file;
        }

        [ConformanceFact(needsFlatc: true)]
        public void SyntheticModel_AllDecodedOptions_RoundTrip()
        {
            byte[] file = BuildSyntheticModel(out string json);
            TfliteModel m = TfliteReader.Read(file);
            using var doc = JsonDocument.Parse(json);
            var cmp = new TfliteJsonComparer(FormatTestEnvironment.TfliteSchemaFlatc2);
            cmp.Compare(m, doc.RootElement, file);

            // A few things spelled out directly.
            Assert.Equal(TfliteBuiltinOperator.Conv2D, m.OperatorCodes[0].Builtin);
            Assert.Equal(TfliteBuiltinOperator.DepthwiseConv2D, m.OperatorCodes[1].Builtin);   // old file: only the deprecated byte
            Assert.Equal(TfliteBuiltinOperator.Gelu, m.OperatorCodes[2].Builtin);              // deprecated byte = 127 placeholder
            Assert.Equal("GELU", m.OperatorCodes[2].Name);
            Assert.Equal(TfliteBuiltinOperator.HardSwish, m.OperatorCodes[3].Builtin);
            Assert.True(m.OperatorCodes[4].IsCustom);
            Assert.Equal("MyCustomOp", m.OperatorCodes[4].Name);
            Assert.Equal(5000000000L, m.Tensors[1].Quantization.ZeroPoint[3]);
            Assert.True(m.Tensors[2].IsVariable);
            Assert.Equal(new byte[] { 0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7 }, m.Buffers[2].Data);
            Assert.True(m.Buffers[2].IsExternal);
            Assert.Equal((byte)cmp.OptionsTag("GatherOptions"), m.Operators[21].BuiltinOptionsType); // not decoded
            Assert.Null(m.Operators[21].BuiltinOptions);
            Assert.Equal(new byte[] { 1, 2, 3, 250 }, m.Operators[22].CustomOptions);
            Assert.Null(m.GetConstantData(m.Tensors[0]));
            Assert.Equal(17, m.GetConstantData(m.Tensors[1]).Length);
            // The tags the reader uses match the schema's union.
            foreach (var f in typeof(TfliteBuiltinOptionsType).GetFields())
                Assert.Equal(cmp.OptionsTag(f.Name == "None" ? "NONE" : f.Name), (byte)f.GetValue(null));
        }

        [ConformanceFact]
        public void BuiltinOperatorEnum_MatchesSchema()
        {
            var ops = FormatTestEnvironment.ParseFbsEnum(Path.Combine(FormatTestEnvironment.TfliteDir, "schema.fbs"), "BuiltinOperator");
            Assert.Equal(ops.Count, Enum.GetValues(typeof(TfliteBuiltinOperator)).Length);
            foreach (var kv in ops)
                Assert.Equal(kv.Key, TfliteBuiltinOperatorNames.Get((int)kv.Value));
            var types = FormatTestEnvironment.ParseFbsEnum(Path.Combine(FormatTestEnvironment.TfliteDir, "schema.fbs"), "TensorType");
            Assert.Equal(types.Count, Enum.GetValues(typeof(TfliteTensorType)).Length);
            foreach (var kv in types)
                Assert.Equal(kv.Key.Replace("_", ""), ((TfliteTensorType)kv.Value).ToString().ToUpperInvariant());
        }
    }
}
