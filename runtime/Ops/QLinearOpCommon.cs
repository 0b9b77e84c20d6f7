namespace Edge.Runtime
{
    /// <summary>Checks shared by the ONNX-rule ops (QLINEAR_CONV, QLINEAR_MATMUL, ONNX QUANTIZE/DEQUANTIZE).</summary>
    public static class QLinearCheck
    {
        /// <summary>0 for Int32 (raw accumulator), 1 for UInt8, 2 for Int8; anything else is an error.</summary>
        public static int OutKind(OperatorDef d, TensorInfo t)
        {
            if (t.Type == DType.Int32) return 0;
            if (t.Type == DType.UInt8) return 1;
            if (t.Type == DType.Int8) return 2;
            throw d.Error(string.Concat("output must be int32, uint8 or int8, is ", TensorInfo.DTypeName(t.Type)));
        }

        public static bool Signed8(OperatorDef d, TensorInfo t, string what)
        {
            if (t.Type == DType.Int8) return true;
            if (t.Type == DType.UInt8) return false;
            throw d.Error(string.Concat(what, " must be int8 or uint8, is ", TensorInfo.DTypeName(t.Type)));
        }

        public static int Min(DType t) { return t == DType.UInt8 ? 0 : -128; }
        public static int Max(DType t) { return t == DType.UInt8 ? 255 : 127; }

        /// <summary>A zero point within the 8-bit type's range.</summary>
        public static void ZeroPoint(OperatorDef d, int zp, DType t, string what)
        {
            if (zp < Min(t) || zp > Max(t))
                throw d.Error(string.Concat(what, " zero point ", zp.ToString(), " out of ", TensorInfo.DTypeName(t), " range"));
        }

        /// <summary>Expands a per-tensor (1 entry) or per-channel (n entries) vector to n entries.</summary>
        public static int[] Expand(OperatorDef d, int[] v, int n, string what)
        {
            if (v.Length == n) return v;
            if (v.Length != 1) throw d.Error(string.Concat(what, " has ", v.Length.ToString(), " entries, expected 1 or ", n.ToString()));
            int[] r = new int[n];
            for (int i = 0; i < n; i++) r[i] = v[0];
            return r;
        }

        public static float[] Expand(OperatorDef d, float[] v, int n, string what)
        {
            if (v.Length != n && v.Length != 1) throw d.Error(string.Concat(what, " has ", v.Length.ToString(), " entries, expected 1 or ", n.ToString()));
            float[] r = new float[n];
            for (int i = 0; i < n; i++)
            {
                r[i] = v.Length == 1 ? v[0] : v[i];
                if (!(r[i] > 0) || r[i] > 3.4e38f) throw d.Error(string.Concat(what, " must be positive and finite"));
            }
            return r;
        }

        /// <summary>Reads requant_rule, which must be OnnxRuntimeFloat for these ops.</summary>
        public static void RequireOrtRule(OperatorDef d, int slot)
        {
            int rule = d.Byte(slot, RequantRule.OnnxRuntimeFloat, "requant_rule");
            if (rule != RequantRule.OnnxRuntimeFloat)
                throw d.Error(string.Concat("requant_rule ", rule.ToString(), " is not supported by this op (OnnxRuntimeFloat = 1 is)"));
        }

        /// <summary>Requantized outputs: [actMin, actMax] within the output type and scales per channel.</summary>
        public static void OutputQuant(OperatorDef d, TensorInfo output, int outKind, int zp, int actMin, int actMax)
        {
            if (outKind == 0) return;
            ZeroPoint(d, zp, output.Type, "output");
            if (actMin < Min(output.Type) || actMax > Max(output.Type) || actMin > actMax)
                throw d.Error(string.Concat("activation range [", actMin.ToString(), ", ", actMax.ToString(), "] is not within ", TensorInfo.DTypeName(output.Type)));
        }
    }

    /// <summary>
    /// The integer-product and output fields QLINEAR_CONV and QLINEAR_MATMUL share, read from eight consecutive
    /// option slots starting at <c>slot</c>: input_zero_point, weight_zero_point, requant_rule, output_scale,
    /// output_zero_point, act_min, act_max, pair_saturation — validated against the operand and output types.
    /// </summary>
    public sealed class QLinearFields
    {
        public int InputZeroPoint, OutputZeroPoint, ActMin, ActMax, OutKind;
        /// <summary>One weight zero point per output channel / column.</summary>
        public int[] WeightZeroPoint;
        /// <summary>One output scale per output channel / column; null for an Int32 output.</summary>
        public float[] Scale;
        public bool PairSaturation;

        public static QLinearFields Read(OperatorDef d, int slot, TensorInfo input, string inputName, TensorInfo weights,
            string weightsName, int channels, TensorInfo output)
        {
            QLinearFields f = new QLinearFields();
            f.OutKind = QLinearCheck.OutKind(d, output);
            f.InputZeroPoint = d.Int(slot, 0, "input_zero_point");
            QLinearCheck.ZeroPoint(d, f.InputZeroPoint, input.Type, inputName);
            f.WeightZeroPoint = QLinearCheck.Expand(d, d.Ints(slot + 1, "weight_zero_point"), channels, "weight_zero_point");
            for (int c = 0; c < channels; c++) QLinearCheck.ZeroPoint(d, f.WeightZeroPoint[c], weights.Type, weightsName);
            QLinearCheck.RequireOrtRule(d, slot + 2);
            f.OutputZeroPoint = d.Int(slot + 4, 0, "output_zero_point");
            f.ActMin = d.Int(slot + 5, 0, "act_min");
            f.ActMax = d.Int(slot + 6, 0, "act_max");
            if (f.OutKind != 0)
            {
                f.Scale = QLinearCheck.Expand(d, d.Floats(slot + 3, "output_scale"), channels, "output_scale");
                QLinearCheck.OutputQuant(d, output, f.OutKind, f.OutputZeroPoint, f.ActMin, f.ActMax);
            }
            f.PairSaturation = d.Bool(slot + 7, "pair_saturation");
            if (f.PairSaturation)
            {
                if (weights.Type != DType.Int8) throw d.Error(string.Concat("pair_saturation needs int8 ", weightsName));
                for (int c = 0; c < channels; c++)
                    if (f.WeightZeroPoint[c] != 0) throw d.Error(string.Concat("pair_saturation needs ", weightsName, " zero point 0"));
            }
            return f;
        }
    }
}
