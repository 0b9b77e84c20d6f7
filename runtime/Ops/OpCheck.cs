namespace Edge.Runtime
{
    /// <summary>Validation helpers shared by the ops' Prepare functions. Each failure names the op.</summary>
    public static class OpCheck
    {
        public static void InputCount(OperatorDef d, int min, int max)
        {
            if (d.Inputs.Length < min || d.Inputs.Length > max)
                throw d.Error(string.Concat("expects ", min.ToString(), (min == max ? "" : string.Concat("..", max.ToString())), " inputs, has ", d.Inputs.Length.ToString()));
        }

        public static void OutputCount(OperatorDef d, int n)
        {
            if (d.Outputs.Length != n)
                throw d.Error(string.Concat("expects ", n.ToString(), " outputs, has ", d.Outputs.Length.ToString()));
        }

        public static TensorInfo Required(OperatorDef d, int i, string what)
        {
            TensorInfo t = d.Input(i);
            if (t == null) throw d.Error(string.Concat("missing ", what, " (input ", i.ToString(), ")"));
            return t;
        }

        public static void Type(OperatorDef d, TensorInfo t, DType type, string what)
        {
            if (t.Type != type)
                throw d.Error(string.Concat(what, " must be ", TensorInfo.DTypeName(type), ", is ", TensorInfo.DTypeName(t.Type)));
        }

        public static void Rank(OperatorDef d, TensorInfo t, int rank, string what)
        {
            if (t.Shape.Length != rank)
                throw d.Error(string.Concat(what, " must have rank ", rank.ToString(), ", has shape ", t.ShapeText()));
        }

        public static void Dim(OperatorDef d, TensorInfo t, int axis, int expected, string what)
        {
            if (t.Shape[axis] != expected)
                throw d.Error(string.Concat(what, " has shape ", t.ShapeText(), "; dimension ", axis.ToString(), " should be ", expected.ToString()));
        }

        public static void Activation(OperatorDef d, TensorInfo t, string what)
        {
            if (t.IsConstant) throw d.Error(string.Concat(what, " must be an activation, not a constant"));
        }

        public static void SameElements(OperatorDef d, TensorInfo a, TensorInfo b)
        {
            if (a.ElementCount != b.ElementCount)
                throw d.Error(string.Concat("input ", a.ShapeText(), " and output ", b.ShapeText(), " differ in element count"));
        }

        public static void SameShape(OperatorDef d, TensorInfo a, TensorInfo b, string what)
        {
            bool same = a.Shape.Length == b.Shape.Length;
            for (int i = 0; same && i < a.Shape.Length; i++) same = a.Shape[i] == b.Shape[i];
            if (!same) throw d.Error(string.Concat(what, ": shapes ", a.ShapeText(), " and ", b.ShapeText(), " differ"));
        }

        /// <summary>Activation clamp must be a sub-range of int8.</summary>
        public static void Int8Range(OperatorDef d, int actMin, int actMax)
        {
            if (actMin < -128 || actMax > 127 || actMin > actMax)
                throw d.Error(string.Concat("activation range [", actMin.ToString(), ", ", actMax.ToString(), "] is not within int8"));
        }

        public static void Shift(OperatorDef d, int shift, string what)
        {
            if (shift < -31 || shift > 30)
                throw d.Error(string.Concat(what, " shift ", shift.ToString(), " out of range [-31, 30]"));
        }

        public static void Positive(OperatorDef d, int v, string what)
        {
            if (v <= 0) throw d.Error(string.Concat(what, " must be positive, is ", v.ToString()));
        }

        public static void NonNegative(OperatorDef d, int v, string what)
        {
            if (v < 0) throw d.Error(string.Concat(what, " must not be negative, is ", v.ToString()));
        }

        public static void ZeroPoint(OperatorDef d, int zp, string what)
        {
            if (zp < -128 || zp > 127) throw d.Error(string.Concat(what, " zero point ", zp.ToString(), " out of int8 range"));
        }

        /// <summary>Reads an int32 constant tensor into an int[] (little-endian).</summary>
        public static int[] ConstInts(OperatorDef d, TensorInfo t, int expectedCount, string what)
        {
            if (!t.IsConstant) throw d.Error(string.Concat(what, " must be a constant"));
            Type(d, t, DType.Int32, what);
            if (t.ElementCount != expectedCount)
                throw d.Error(string.Concat(what, " has ", t.ElementCount.ToString(), " elements, expected ", expectedCount.ToString()));
            int[] r = new int[expectedCount];
            byte[] b = d.Owner.Data;
            for (int i = 0; i < expectedCount; i++) r[i] = FlatBufferView.ReadInt32(b, t.DataOffset + 4 * i);
            return r;
        }

        public static void Length(OperatorDef d, int[] v, int expected, string what)
        {
            if (v.Length != expected)
                throw d.Error(string.Concat(what, " has ", v.Length.ToString(), " entries, expected ", expected.ToString()));
        }
    }
}
