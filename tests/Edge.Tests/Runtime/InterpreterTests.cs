using System;
using Edge.Runtime;
using Xunit;

namespace Edge.Tests.Runtime
{
    public class InterpreterTests
    {
        private sealed class CountingProfiler : OpProfiler
        {
            public long Ticks;
            public readonly int[] Calls;
            public readonly OpType[] Types;
            public CountingProfiler(int ops) { Calls = new int[ops]; Types = new OpType[ops]; }
            public override long GetTicks() => ++Ticks;
            public override void OnOp(int opIndex, OpType type, long elapsedTicks)
            {
                Calls[opIndex]++;
                Types[opIndex] = type;
                Assert.True(elapsedTicks == 1);   // one GetTicks before and one after each op
            }
        }

        [Fact]
        public void ProfilerSeesEveryOpInOrderAndAllocatesNothing()
        {
            var model = EdgeModel.Load(TestModels.SmallModelBytes());
            var interp = new Interpreter(model, new byte[model.ArenaBytes]);
            var prof = new CountingProfiler(model.Ops.Length);
            interp.Profiler = prof;
            for (int i = 0; i < 50; i++) interp.Invoke();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++) interp.Invoke();
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            for (int i = 0; i < model.Ops.Length; i++)
            {
                Assert.Equal(150, prof.Calls[i]);
                Assert.Equal(model.Ops[i].Type, prof.Types[i]);
            }
            Assert.Equal(2 * 150 * model.Ops.Length, prof.Ticks);
        }

        [Fact]
        public void ArenaSmallerThanThePlanIsRejected()
        {
            var model = EdgeModel.Load(TestModels.SmallModelBytes());
            Assert.True(model.ArenaBytes > 0);
            var e = Assert.Throws<ArgumentException>(() => new Interpreter(model, new byte[model.ArenaBytes - 1]));
            Assert.Contains(model.ArenaBytes.ToString(), e.Message);
        }

        [Fact]
        public void InputsAndOutputsAreCheckedForSize()
        {
            var model = EdgeModel.Load(TestModels.SmallModelBytes());
            var interp = new Interpreter(model, new byte[model.ArenaBytes]);
            Assert.Throws<ArgumentException>(() => interp.SetInput(0, new byte[model.Input(0).SizeBytes - 1], 0));
            Assert.Throws<ArgumentException>(() => interp.GetOutput(0, new byte[model.Output(0).SizeBytes - 1], 0));
            interp.SetInput(0, new byte[model.Input(0).SizeBytes], 0);
            interp.Invoke();
            var output = new byte[model.Output(0).SizeBytes];
            interp.GetOutput(0, output, 0);
            // Same input, second interpreter on a fresh arena: identical output (no hidden state across invokes).
            var again = new Interpreter(model, new byte[model.ArenaBytes]);
            again.SetInput(0, new byte[model.Input(0).SizeBytes], 0);
            again.Invoke();
            var output2 = new byte[output.Length];
            again.GetOutput(0, output2, 0);
            Assert.Equal(output, output2);
        }
    }
}
