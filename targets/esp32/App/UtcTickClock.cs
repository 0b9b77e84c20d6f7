using System;
using Edge.Esp32;

namespace Edge.Esp32.App
{
    /// <summary>DateTime.UtcNow.Ticks: 100 ns units (the ESP32 port derives it from the 1 µs esp_timer).</summary>
    public sealed class UtcTickClock : TickClock
    {
        public override long Ticks()
        {
            return DateTime.UtcNow.Ticks;
        }

        public override long TicksPerMillisecond { get { return TimeSpan.TicksPerMillisecond; } }
    }
}
