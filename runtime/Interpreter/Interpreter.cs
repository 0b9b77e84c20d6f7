using System;

namespace Edge.Runtime
{
    /// <summary>
    /// Runs a verified <see cref="EdgeModel"/> in a caller-owned arena. <see cref="Invoke"/> allocates nothing:
    /// every op was prepared at load and every activation has its planned place in the arena.
    /// </summary>
    public sealed class Interpreter
    {
        private readonly EdgeModel _model;
        private readonly byte[] _arena;
        private readonly OpKernel[] _ops;
        private readonly byte[] _data;

        /// <summary>Optional per-op timing hook (null = off).</summary>
        public OpProfiler Profiler;

        /// <param name="arena">At least <see cref="EdgeModel.ArenaBytes"/> bytes; the plan uses exactly that many.</param>
        public Interpreter(EdgeModel model, byte[] arena)
        {
            if (model == null) throw new ArgumentNullException("model");
            if (arena == null) throw new ArgumentNullException("arena");
            if (arena.Length < model.ArenaBytes)
                throw new ArgumentException(string.Concat("arena is ", arena.Length.ToString(), " bytes; the model needs ", model.ArenaBytes.ToString()));
            _model = model;
            _arena = arena;
            _ops = model.Ops;
            _data = model.Data;
            ResetState();
        }

        /// <summary>
        /// Returns every state tensor (EdgeModel.StateTensors: e.g. the audio front end's noise estimate) to its
        /// initial value, zero, as a freshly created interpreter has it: call it between independent streams.
        /// Allocates nothing.
        /// </summary>
        public void ResetState()
        {
            int[] state = _model.StateTensors;
            if (state == null) return;
            for (int i = 0; i < state.Length; i++)
            {
                TensorInfo t = _model.Tensors[state[i]];
                Array.Clear(_arena, t.DataOffset, t.SizeBytes);
            }
        }

        public EdgeModel Model { get { return _model; } }
        public byte[] Arena { get { return _arena; } }
        public int InputCount { get { return _model.Inputs.Length; } }
        public int OutputCount { get { return _model.Outputs.Length; } }
        public TensorInfo Input(int i) { return _model.Tensors[_model.Inputs[i]]; }
        public TensorInfo Output(int i) { return _model.Tensors[_model.Outputs[i]]; }

        /// <summary>Copies input i's bytes (its exact size) from <paramref name="source"/>.</summary>
        public void SetInput(int i, byte[] source, int sourceOffset)
        {
            TensorInfo t = Input(i);
            if (sourceOffset < 0 || sourceOffset > source.Length - t.SizeBytes)
                throw new ArgumentException(string.Concat("input ", i.ToString(), " needs ", t.SizeBytes.ToString(), " bytes"));
            Array.Copy(source, sourceOffset, _arena, t.DataOffset, t.SizeBytes);
        }

        /// <summary>Copies output i's bytes into <paramref name="destination"/>.</summary>
        public void GetOutput(int i, byte[] destination, int destinationOffset)
        {
            TensorInfo t = Output(i);
            if (destinationOffset < 0 || destinationOffset > destination.Length - t.SizeBytes)
                throw new ArgumentException(string.Concat("output ", i.ToString(), " needs ", t.SizeBytes.ToString(), " bytes"));
            Array.Copy(_arena, t.DataOffset, destination, destinationOffset, t.SizeBytes);
        }

        /// <summary>
        /// Runs the self-test embedded in the model (edge convert --embed-test): copies the stored inputs into
        /// the arena, invokes, and compares every output byte with the stored expected output. Overwrites the
        /// arena (inputs included). A quantized model verified on the board it runs on.
        /// </summary>
        public SelfTestResult SelfTest()
        {
            SelfTestResult r = new SelfTestResult();
            if (!_model.HasSelfTest) return r;
            r.Present = true;
            // The stored output was computed from the initial state (state tensors zero): start from it, and
            // leave it there afterwards so a stream that follows starts clean.
            ResetState();
            r = Compare(r);
            ResetState();
            return r;
        }

        private SelfTestResult Compare(SelfTestResult r)
        {
            for (int i = 0; i < _model.Inputs.Length; i++)
            {
                TensorInfo t = Input(i);
                Array.Copy(_data, _model.SelfTestInputOffsets[i], _arena, t.DataOffset, t.SizeBytes);
            }
            Invoke();
            for (int o = 0; o < _model.Outputs.Length; o++)
            {
                TensorInfo t = Output(o);
                int expected = _model.SelfTestOutputOffsets[o];
                for (int k = 0; k < t.SizeBytes; k++)
                {
                    byte want = _data[expected + k];
                    byte got = _arena[t.DataOffset + k];
                    if (want != got)
                    {
                        r.Output = o;
                        r.ByteIndex = k;
                        r.Expected = (sbyte)want;
                        r.Actual = (sbyte)got;
                        return r;
                    }
                    r.BytesCompared++;
                }
            }
            r.Passed = true;
            return r;
        }

        /// <summary>Runs every operator once, in order. Allocates nothing.</summary>
        public void Invoke()
        {
            OpKernel[] ops = _ops;
            byte[] arena = _arena;
            byte[] data = _data;
            OpProfiler profiler = Profiler;
            if (profiler == null)
            {
                for (int i = 0; i < ops.Length; i++) ops[i].Eval(arena, data);
                return;
            }
            for (int i = 0; i < ops.Length; i++)
            {
                OpKernel op = ops[i];
                long t0 = profiler.GetTicks();
                op.Eval(arena, data);
                long t1 = profiler.GetTicks();
                profiler.OnOp(i, op.Type, t1 - t0);
            }
        }
    }
}
