namespace Edge.Runtime
{
    /// <summary>The outcome of <see cref="Interpreter.SelfTest"/>: pass, or the first output byte that differs.</summary>
    public sealed class SelfTestResult
    {
        public bool Passed;
        /// <summary>False when the file carries no self-test (nothing was run).</summary>
        public bool Present;
        /// <summary>On failure: which output, which byte, and the two values (as int8).</summary>
        public int Output = -1;
        public int ByteIndex = -1;
        public int Expected;
        public int Actual;
        public int BytesCompared;

        public override string ToString()
        {
            if (!Present) return "no self-test embedded in this model";
            if (Passed) return string.Concat("self-test passed (", BytesCompared.ToString(), " output bytes equal)");
            return string.Concat("self-test FAILED: output ", Output.ToString(), " byte ", ByteIndex.ToString(),
                " is ", Actual.ToString(), ", expected ", Expected.ToString());
        }
    }
}
