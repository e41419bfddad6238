define( 'DB_PASSWORD', 'cIrXyFv9As6SdLbrOdMX' );
