namespace Edge.Runtime
{
    /// <summary>
    /// A prepared operator. Prepare (each op's static factory in runtime/Ops) validated everything and decoded
    /// every constant; Eval only dispatches to a kernel. Eval must not allocate.
    /// </summary>
    public abstract class OpKernel
    {
        public int Index;
        public OpType Type;
        public long Macs;
        /// <summary>Tensor indices as stored in the file (-1 = absent optional input).</summary>
        public int[] Inputs;
        public int[] Outputs;

        /// <summary>Runs the op. <paramref name="arena"/> holds activations, <paramref name="model"/> the file (constants).</summary>
        public abstract void Eval(byte[] arena, byte[] model);

        /// <summary>The array a tensor's bytes live in.</summary>
        protected static byte[] Data(TensorInfo t, byte[] arena, byte[] model)
        {
            return t.IsConstant ? model : arena;
        }
    }

    /// <summary>
    /// Per-op timing hook. The interpreter calls <see cref="GetTicks"/> around every op and reports the elapsed
    /// ticks; implementations must not allocate (a desktop one wraps Stopwatch.GetTimestamp, a board one its
    /// tick counter).
    /// </summary>
    public abstract class OpProfiler
    {
        public abstract long GetTicks();
        public abstract void OnOp(int opIndex, OpType type, long elapsedTicks);
    }
}
