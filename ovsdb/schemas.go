package ovsdb

import (
	_ "embed"
)

// vswitchSchema is vswitch.ovsschema from OVS 3.1 (Debian's
// openvswitch-common), version 8.3.1.
//
//go:embed vswitch.ovsschema
var vswitchSchema []byte

// VSwitchSchemaText returns the Open_vSwitch schema as shipped by OVS 3.1.
func VSwitchSchemaText() []byte { return append([]byte(nil), vswitchSchema...) }

// VSwitchSchema returns the parsed Open_vSwitch schema.
func VSwitchSchema() *DatabaseSchema {
	s, err := ParseSchema(vswitchSchema)
	if err != nil {
		panic("ovsdb: embedded vswitch.ovsschema: " + err.Error())
	}
	return s
}
