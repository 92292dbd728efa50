package io.planet.api.patch;

import static io.planet.api.patch.JsonPatchTest.j;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GoValuesTest {
  @Test
  void formatsLikeGoPercentV() {
    assertThat(GoValues.format(j("{'b':[1,'x',null],'a':{'c':true}}"))).isEqualTo("map[a:map[c:true] b:[1 x <nil>]]");
    assertThat(GoValues.formatFloat(0.5)).isEqualTo("0.5");
    assertThat(GoValues.formatFloat(123456.0)).isEqualTo("123456");
    assertThat(GoValues.formatFloat(1e6)).isEqualTo("1e+06");
    assertThat(GoValues.formatFloat(-1.5e-7)).isEqualTo("-1.5e-07");
  }

  @Test
  void formatsPercentSAndTypeNames() {
    assertThat(GoValues.formatS(j("'delete'"))).isEqualTo("delete");
    assertThat(GoValues.formatS(j("1"))).isEqualTo("%!s(int64=1)");
    assertThat(GoValues.formatS(j("null"))).isEqualTo("%!s(<nil>)");
    assertThat(GoValues.typeName(j("[]"))).isEqualTo("[]interface {}");
    assertThat(GoValues.jsonKind(j("true"))).isEqualTo("bool");
  }
}
