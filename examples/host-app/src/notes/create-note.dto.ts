import { IsString, Length } from 'class-validator';

export class CreateNoteDto {
  @IsString()
  @Length(1, 200)
  text!: string;
}
