using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Edge.Converter.Tflite;
using Xunit;

namespace Edge.Tests.Format
{
    /// <summary>
    /// Compares a <see cref="TfliteModel"/> with the JSON form of the same model (flatc's output, or the JSON a
    /// test compiled with flatc). Missing JSON fields take the schema's default; enum names are resolved through
    /// the enums/unions parsed from the schema file itself, not through the reader's own tables.
    /// </summary>
    internal sealed class TfliteJsonComparer
    {
        private readonly Dictionary<string, long> _builtinOps, _tensorTypes, _options, _padding, _activation, _weightsFormat;

        public TfliteJsonComparer(string schemaPath)
        {
            _builtinOps = FormatTestEnvironment.ParseFbsEnum(schemaPath, "BuiltinOperator");
            _tensorTypes = FormatTestEnvironment.ParseFbsEnum(schemaPath, "TensorType");
            _options = FormatTestEnvironment.ParseFbsUnion(schemaPath, "BuiltinOptions");
            _padding = FormatTestEnvironment.ParseFbsEnum(schemaPath, "Padding");
            _activation = FormatTestEnvironment.ParseFbsEnum(schemaPath, "ActivationFunctionType");
            _weightsFormat = FormatTestEnvironment.ParseFbsEnum(schemaPath, "FullyConnectedOptionsWeightsFormat");
        }

        public int OptionsTag(string name) => (int)_options[name];

        private static bool Has(JsonElement o, string name, out JsonElement v) => o.TryGetProperty(name, out v) && v.ValueKind != JsonValueKind.Null;

        private static long Long(JsonElement o, string name, long d = 0) => Has(o, name, out var v) ? v.GetInt64() : d;
        private static bool Bool(JsonElement o, string name, bool d = false) => Has(o, name, out var v) ? v.GetBoolean() : d;
        private static double Double(JsonElement o, string name, double d = 0) => Has(o, name, out var v) ? v.GetDouble() : d;
        private static string Str(JsonElement o, string name) => Has(o, name, out var v) ? v.GetString() : null;

        private static long Enum(JsonElement o, string name, Dictionary<string, long> map, long d = 0)
        {
            if (!Has(o, name, out var v)) return d;
            return v.ValueKind == JsonValueKind.Number ? v.GetInt64() : map[v.GetString()];
        }

        private static int[] Ints(JsonElement o, string name) =>
            Has(o, name, out var v) ? v.EnumerateArray().Select(x => x.GetInt32()).ToArray() : Array.Empty<int>();

        private static long[] Longs(JsonElement o, string name) =>
            Has(o, name, out var v) ? v.EnumerateArray().Select(x => x.GetInt64()).ToArray() : Array.Empty<long>();

        private static double[] Doubles(JsonElement o, string name) =>
            Has(o, name, out var v) ? v.EnumerateArray().Select(x => x.GetDouble()).ToArray() : Array.Empty<double>();

        /// <summary>
        /// flatc 2.0.8 prints floats in fixed notation with 6 decimals (0.0000632919 → "0.000063"), so the JSON value
        /// is only good to ±5e-7 absolute; JSON written by a test is exact.
        /// </summary>
        private static void Close(double expected, float actual, string what)
        {
            Assert.True(Math.Abs(expected - actual) <= 5.01e-7 + 1e-6 * Math.Abs(expected),
                $"{what}: JSON {expected} vs reader {actual}");
        }

        private static void CloseAll(double[] expected, float[] actual, string what)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++) Close(expected[i], actual[i], $"{what}[{i}]");
        }

        public void Compare(TfliteModel m, JsonElement j, byte[] fileBytes = null)
        {
            Assert.Equal(Long(j, "version"), m.Version);
            Assert.Equal(Str(j, "description"), m.Description);

            // Operator codes: effective code = max(deprecated_builtin_code, builtin_code).
            var codes = j.GetProperty("operator_codes").EnumerateArray().ToArray();
            Assert.Equal(codes.Length, m.OperatorCodes.Count);
            for (int i = 0; i < codes.Length; i++)
            {
                long dep = Long(codes[i], "deprecated_builtin_code");
                long ext = Enum(codes[i], "builtin_code", _builtinOps);
                Assert.Equal(Math.Max(dep, ext), m.OperatorCodes[i].BuiltinCode);
                Assert.Equal(dep, m.OperatorCodes[i].DeprecatedBuiltinCode);
                Assert.Equal(ext, m.OperatorCodes[i].ExtendedBuiltinCode);
                Assert.Equal(Long(codes[i], "version", 1), m.OperatorCodes[i].Version);
                Assert.Equal(Str(codes[i], "custom_code"), m.OperatorCodes[i].CustomCode);
            }

            // Buffers.
            var buffers = j.GetProperty("buffers").EnumerateArray().ToArray();
            Assert.Equal(buffers.Length, m.Buffers.Count);
            for (int i = 0; i < buffers.Length; i++)
            {
                long offset = Long(buffers[i], "offset"), size = Long(buffers[i], "size");
                Assert.Equal((ulong)offset, m.Buffers[i].Offset);
                Assert.Equal((ulong)size, m.Buffers[i].Size);
                byte[] expected = offset > 1
                    ? fileBytes.AsSpan((int)offset, (int)size).ToArray()
                    : Has(buffers[i], "data", out var d) ? d.EnumerateArray().Select(x => x.GetByte()).ToArray() : Array.Empty<byte>();
                Assert.Equal(expected, m.Buffers[i].Data);
            }

            var subgraphs = j.GetProperty("subgraphs").EnumerateArray().ToArray();
            Assert.Equal(subgraphs.Length, m.SubgraphCount);
            var sg = subgraphs[0];
            Assert.Equal(Str(sg, "name"), m.Subgraph.Name);
            Assert.Equal(Ints(sg, "inputs"), m.Inputs);
            Assert.Equal(Ints(sg, "outputs"), m.Outputs);

            var tensors = sg.GetProperty("tensors").EnumerateArray().ToArray();
            Assert.Equal(tensors.Length, m.Tensors.Count);
            for (int i = 0; i < tensors.Length; i++)
            {
                var jt = tensors[i];
                var t = m.Tensors[i];
                string what = $"tensor {i}";
                Assert.Equal(i, t.Index);
                Assert.Equal(Str(jt, "name") ?? "", t.Name);
                Assert.Equal(Enum(jt, "type", _tensorTypes), (long)t.Type);
                Assert.Equal(Ints(jt, "shape"), t.Shape);
                Assert.Equal(Long(jt, "buffer"), t.Buffer);
                Assert.Equal(Bool(jt, "is_variable"), t.IsVariable);
                if (Has(jt, "shape_signature", out _)) Assert.Equal(Ints(jt, "shape_signature"), t.ShapeSignature);
                else Assert.Null(t.ShapeSignature);
                if (Has(jt, "quantization", out var q))
                {
                    Assert.NotNull(t.Quantization);
                    CloseAll(Doubles(q, "scale"), t.Quantization.Scale, what + " scale");
                    CloseAll(Doubles(q, "min"), t.Quantization.Min, what + " min");
                    CloseAll(Doubles(q, "max"), t.Quantization.Max, what + " max");
                    Assert.Equal(Longs(q, "zero_point"), t.Quantization.ZeroPoint);
                    Assert.Equal(Long(q, "quantized_dimension"), t.Quantization.QuantizedDimension);
                }
                else
                {
                    Assert.Null(t.Quantization);
                }
            }

            var ops = sg.GetProperty("operators").EnumerateArray().ToArray();
            Assert.Equal(ops.Length, m.Operators.Count);
            for (int i = 0; i < ops.Length; i++)
            {
                var jo = ops[i];
                var op = m.Operators[i];
                Assert.Equal(i, op.Index);
                Assert.Equal(Long(jo, "opcode_index"), op.OpcodeIndex);
                Assert.Equal(Ints(jo, "inputs"), op.Inputs);
                Assert.Equal(Ints(jo, "outputs"), op.Outputs);
                Assert.Equal(Ints(jo, "intermediates"), op.Intermediates);
                if (Has(jo, "custom_options", out var co)) Assert.Equal(co.EnumerateArray().Select(x => x.GetByte()).ToArray(), op.CustomOptions);
                else Assert.Null(op.CustomOptions);
                long tag = Enum(jo, "builtin_options_type", _options);
                Assert.Equal(tag, op.BuiltinOptionsType);
                CompareOptions(op, tag, Has(jo, "builtin_options", out var bo) ? bo : default, $"operator {i}");
            }

            if (Has(j, "metadata", out var md))
            {
                var mds = md.EnumerateArray().ToArray();
                Assert.Equal(mds.Length, m.Metadata.Count);
                for (int i = 0; i < mds.Length; i++)
                {
                    Assert.Equal(Str(mds[i], "name"), m.Metadata[i].Name);
                    Assert.Equal(Long(mds[i], "buffer"), m.Metadata[i].Buffer);
                }
            }
            else
            {
                Assert.Empty(m.Metadata);
            }
        }

        /// <summary>Field-by-field comparison of the decoded options with the JSON options table.</summary>
        private void CompareOptions(TfliteOperator op, long tag, JsonElement o, string what)
        {
            object x = op.BuiltinOptions;
            if (tag == 0) { Assert.Null(x); return; }
            string name = _options.First(kv => kv.Value == tag).Key;
            switch (name)
            {
                case "Conv2DOptions":
                    {
                        var c = Assert.IsType<TfliteConv2DOptions>(x);
                        Assert.Equal(Enum(o, "padding", _padding), (long)c.Padding);
                        Assert.Equal(Long(o, "stride_w"), c.StrideW);
                        Assert.Equal(Long(o, "stride_h"), c.StrideH);
                        Assert.Equal(Enum(o, "fused_activation_function", _activation), (long)c.FusedActivation);
                        Assert.Equal(Long(o, "dilation_w_factor", 1), c.DilationWFactor);
                        Assert.Equal(Long(o, "dilation_h_factor", 1), c.DilationHFactor);
                        Assert.Equal(Enum(o, "quantized_bias_type", _tensorTypes), (long)c.QuantizedBiasType);
                        break;
                    }
                case "DepthwiseConv2DOptions":
                    {
                        var c = Assert.IsType<TfliteDepthwiseConv2DOptions>(x);
                        Assert.Equal(Enum(o, "padding", _padding), (long)c.Padding);
                        Assert.Equal(Long(o, "stride_w"), c.StrideW);
                        Assert.Equal(Long(o, "stride_h"), c.StrideH);
                        Assert.Equal(Long(o, "depth_multiplier"), c.DepthMultiplier);
                        Assert.Equal(Enum(o, "fused_activation_function", _activation), (long)c.FusedActivation);
                        Assert.Equal(Long(o, "dilation_w_factor", 1), c.DilationWFactor);
                        Assert.Equal(Long(o, "dilation_h_factor", 1), c.DilationHFactor);
                        break;
                    }
                case "FullyConnectedOptions":
                    {
                        var c = Assert.IsType<TfliteFullyConnectedOptions>(x);
                        Assert.Equal(Enum(o, "fused_activation_function", _activation), (long)c.FusedActivation);
                        Assert.Equal(Enum(o, "weights_format", _weightsFormat), (long)c.WeightsFormat);
                        Assert.Equal(Bool(o, "keep_num_dims"), c.KeepNumDims);
                        Assert.Equal(Bool(o, "asymmetric_quantize_inputs"), c.AsymmetricQuantizeInputs);
                        Assert.Equal(Enum(o, "quantized_bias_type", _tensorTypes), (long)c.QuantizedBiasType);
                        break;
                    }
                case "Pool2DOptions":
                    {
                        var c = Assert.IsType<TflitePool2DOptions>(x);
                        Assert.Equal(Enum(o, "padding", _padding), (long)c.Padding);
                        Assert.Equal(Long(o, "stride_w"), c.StrideW);
                        Assert.Equal(Long(o, "stride_h"), c.StrideH);
                        Assert.Equal(Long(o, "filter_width"), c.FilterWidth);
                        Assert.Equal(Long(o, "filter_height"), c.FilterHeight);
                        Assert.Equal(Enum(o, "fused_activation_function", _activation), (long)c.FusedActivation);
                        break;
                    }
                case "AddOptions":
                    {
                        var c = Assert.IsType<TfliteAddOptions>(x);
                        Assert.Equal(Enum(o, "fused_activation_function", _activation), (long)c.FusedActivation);
                        Assert.Equal(Bool(o, "pot_scale_int16", true), c.PotScaleInt16);
                        break;
                    }
                case "SubOptions":
                    {
                        var c = Assert.IsType<TfliteSubOptions>(x);
                        Assert.Equal(Enum(o, "fused_activation_function", _activation), (long)c.FusedActivation);
                        Assert.Equal(Bool(o, "pot_scale_int16", true), c.PotScaleInt16);
                        break;
                    }
                case "MulOptions":
                    Assert.Equal(Enum(o, "fused_activation_function", _activation), (long)Assert.IsType<TfliteMulOptions>(x).FusedActivation);
                    break;
                case "SoftmaxOptions":
                    Close(Double(o, "beta"), Assert.IsType<TfliteSoftmaxOptions>(x).Beta, what + " beta");
                    break;
                case "ConcatenationOptions":
                    {
                        var c = Assert.IsType<TfliteConcatenationOptions>(x);
                        Assert.Equal(Long(o, "axis"), c.Axis);
                        Assert.Equal(Enum(o, "fused_activation_function", _activation), (long)c.FusedActivation);
                        break;
                    }
                case "ReshapeOptions":
                    {
                        var c = Assert.IsType<TfliteReshapeOptions>(x);
                        if (Has(o, "new_shape", out _)) Assert.Equal(Ints(o, "new_shape"), c.NewShape);
                        else Assert.Null(c.NewShape);
                        break;
                    }
                case "SqueezeOptions":
                    Assert.Equal(Ints(o, "squeeze_dims"), Assert.IsType<TfliteSqueezeOptions>(x).SqueezeDims);
                    break;
                case "StridedSliceOptions":
                    {
                        var c = Assert.IsType<TfliteStridedSliceOptions>(x);
                        Assert.Equal(Long(o, "begin_mask"), c.BeginMask);
                        Assert.Equal(Long(o, "end_mask"), c.EndMask);
                        Assert.Equal(Long(o, "ellipsis_mask"), c.EllipsisMask);
                        Assert.Equal(Long(o, "new_axis_mask"), c.NewAxisMask);
                        Assert.Equal(Long(o, "shrink_axis_mask"), c.ShrinkAxisMask);
                        Assert.Equal(Bool(o, "offset"), c.Offset);
                        break;
                    }
                case "ReducerOptions":
                    Assert.Equal(Bool(o, "keep_dims"), Assert.IsType<TfliteReducerOptions>(x).KeepDims);
                    break;
                case "LeakyReluOptions":
                    Close(Double(o, "alpha"), Assert.IsType<TfliteLeakyReluOptions>(x).Alpha, what + " alpha");
                    break;
                case "PadOptions":
                case "PadV2Options":
                case "TransposeOptions":
                case "QuantizeOptions":
                case "DequantizeOptions":
                case "HardSwishOptions":
                    Assert.Equal(tag, Assert.IsType<TfliteEmptyOptions>(x).OptionsType);
                    break;
                default:
                    Assert.Null(x); // not decoded by the reader
                    break;
            }
        }
    }
}
